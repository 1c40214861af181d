package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Chart is the part of Chart.yaml templates see as .Chart (Helm capitalises the fields).
type Chart struct {
	APIVersion  string `json:"apiVersion"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion"`
	Description string `json:"description"`
	Type        string `json:"type"`
}

// Release is .Release as `helm install`/`helm template` fill it.
type Release struct {
	Name      string
	Namespace string
	Service   string
	IsInstall bool
	IsUpgrade bool
	Revision  int
}

// VersionSet answers .Capabilities.APIVersions.Has for the API versions (and
// "group/version/Kind" strings) given on the command line.
type VersionSet []string

func (v VersionSet) Has(s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

type Capabilities struct {
	APIVersions VersionSet
	KubeVersion KubeVersion
}

// Manifest is one rendered template file.
type Manifest struct {
	Name    string // e.g. "omniroute/templates/deployment.yaml"
	Content string
}

// Options for one render.
type Options struct {
	ChartDir    string
	Release     Release
	APIVersions []string
	KubeVersion string // "v1.29.0"
}

// builtinAPIVersions are the versions Helm reports without a cluster (chartutil's defaults,
// trimmed to the ones a chart may test for).
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
	"apiextensions.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
}

// LoadChart reads Chart.yaml and checks what Helm would reject.
func LoadChart(dir string) (*Chart, error) {
	data, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	c := &Chart{} // Chart.yaml may carry fields the templates do not see (keywords, ...).
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if c.APIVersion != "v2" {
		return nil, fmt.Errorf("Chart.yaml: apiVersion must be v2, got %q", c.APIVersion)
	}
	if c.Name == "" || c.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: name and version are required")
	}
	return c, nil
}

// funcMap is sprig's text functions plus Helm's own, as helm/pkg/engine/funcs.go defines them.
func funcMap(t **template.Template, includeDepth map[string]int) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, fmt.Errorf(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, fmt.Errorf(msg)
		}
		return v, nil
	}
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		if includeDepth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		var buf bytes.Buffer
		if err := (*t).ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := (*t).Clone()
		if err != nil {
			return "", err
		}
		nt, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %v", err)
		}
		var buf bytes.Buffer
		if err := nt.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("tpl: %v", err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

// Render renders every template of the chart with the given values. Partials (files whose
// name starts with "_") only define named templates; NOTES.txt is returned apart.
func Render(opts Options, chart *Chart, values Values) (manifests []Manifest, notes string, err error) {
	tdir := filepath.Join(opts.ChartDir, "templates")
	var files []string
	err = filepath.Walk(tdir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Strings(files)

	var root *template.Template
	depth := map[string]int{}
	root = template.New("gotpl").Option("missingkey=zero").Funcs(funcMap(&root, depth))
	names := []string{}
	for _, path := range files {
		rel, _ := filepath.Rel(opts.ChartDir, path)
		name := chart.Name + "/" + filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", err
		}
		if _, err := root.New(name).Parse(string(data)); err != nil {
			return nil, "", fmt.Errorf("parse error: %v", err)
		}
		names = append(names, name)
	}

	apis := VersionSet(append(append([]string{}, builtinAPIVersions...), opts.APIVersions...))
	kv := opts.KubeVersion
	parts := strings.SplitN(strings.TrimPrefix(kv, "v"), ".", 3)
	caps := Capabilities{APIVersions: apis, KubeVersion: KubeVersion{
		Version: kv, GitVersion: kv, Major: parts[0], Minor: parts[1]}}
	chartMap := map[string]interface{}{
		"Name": chart.Name, "Version": chart.Version, "AppVersion": chart.AppVersion,
		"Description": chart.Description, "Type": chart.Type, "APIVersion": chart.APIVersion,
	}
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		top := map[string]interface{}{
			"Values":       values,
			"Release":      opts.Release,
			"Chart":        chartMap,
			"Capabilities": caps,
			"Template": map[string]interface{}{
				"Name": name, "BasePath": chart.Name + "/templates",
			},
			"Files": map[string]interface{}{},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, top); err != nil {
			return nil, "", fmt.Errorf("render error: %v", err)
		}
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes = out
			continue
		}
		if ext := filepath.Ext(base); ext != ".yaml" && ext != ".yml" {
			continue
		}
		manifests = append(manifests, Manifest{Name: name, Content: out})
	}
	return manifests, notes, nil
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// Object is one YAML document of a manifest.
type Object struct {
	Source     string
	Text       string
	APIVersion string
	Kind       string
	Name       string
	Hook       string
}

// SplitObjects splits rendered manifests into objects, drops empty documents and checks that
// each is YAML with apiVersion, kind and metadata.name, as Helm does before installing.
func SplitObjects(manifests []Manifest) ([]Object, error) {
	var objs []Object
	for _, m := range manifests {
		for _, doc := range docSep.Split(m.Content, -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name        string            `json:"name"`
					Annotations map[string]string `json:"annotations"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, fmt.Errorf("%s: YAML parse error: %v\n%s", m.Name, err, numbered(doc))
			}
			if head.APIVersion == "" || head.Kind == "" || head.Metadata.Name == "" {
				return nil, fmt.Errorf("%s: object without apiVersion, kind or metadata.name:\n%s",
					m.Name, numbered(doc))
			}
			objs = append(objs, Object{
				Source: m.Name, Text: strings.Trim(doc, "\n") + "\n", APIVersion: head.APIVersion,
				Kind: head.Kind, Name: head.Metadata.Name, Hook: head.Metadata.Annotations["helm.sh/hook"],
			})
		}
	}
	return objs, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	return b.String()
}

func numbered(doc string) string {
	var b strings.Builder
	for i, line := range strings.Split(doc, "\n") {
		fmt.Fprintf(&b, "%4d | %s\n", i+1, line)
	}
	return b.String()
}

// installOrder is Helm's kind order (pkg/releaseutil/kind_sorter.go), the order `helm template`
// prints objects in.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService",
}

// SortObjects orders objects like `helm template`: by kind in install order (unknown kinds
// last), then by name; hooks after everything else.
func SortObjects(objs []Object) {
	rank := func(k string) int {
		for i, x := range installOrder {
			if x == k {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if (a.Hook != "") != (b.Hook != "") {
			return a.Hook == ""
		}
		if rank(a.Kind) != rank(b.Kind) {
			return rank(a.Kind) < rank(b.Kind)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
}
