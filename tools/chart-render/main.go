// chart-render renders a Helm chart without Helm: Go text/template with sprig and the subset
// of Helm's functions and built-in objects that charts/omniroute uses (see
// charts/omniroute/README.md, "How the chart is checked without Helm").
//
//	chart-render --chart DIR [-f values.yaml]... [--set a.b=v]... [--release-name N]
//	             [--namespace NS] [--release-service S] [--api-versions group/version]...
//	             [--kube-version v1.29.0]
//	             [--dump-values FILE] [--output-dir DIR] [--only TEMPLATE]... [--notes FILE]
//
// Objects go to stdout as one YAML stream ("# Source:" comments as in `helm template`), or one
// file per template into --output-dir. --dump-values writes the merged values as JSON (what
// Helm validates against values.schema.json) and renders nothing.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "chart-render: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	var valueFiles, sets, apis, only stringList
	chartDir := flag.String("chart", "", "chart directory")
	flag.Var(&valueFiles, "f", "values file (repeatable, later files win)")
	flag.Var(&valueFiles, "values", "same as -f")
	flag.Var(&sets, "set", "a.b.c=value (repeatable, applied after the files)")
	flag.Var(&apis, "api-versions", "extra API version reported by .Capabilities.APIVersions.Has")
	flag.Var(&only, "only", "render only these templates (file names under templates/)")
	releaseName := flag.String("release-name", "omniroute", ".Release.Name")
	namespace := flag.String("namespace", "default", ".Release.Namespace")
	service := flag.String("release-service", "Helm", ".Release.Service (the managed-by label)")
	kubeVersion := flag.String("kube-version", "v1.29.0", ".Capabilities.KubeVersion")
	dumpValues := flag.String("dump-values", "", "write the merged values as JSON to this file ('-' = stdout) and stop")
	outputDir := flag.String("output-dir", "", "write one file per template here instead of stdout")
	notesFile := flag.String("notes", "", "write the rendered NOTES.txt here")
	flag.Parse()
	if *chartDir == "" || flag.NArg() > 0 {
		return fmt.Errorf("usage: chart-render --chart DIR [-f values.yaml]... (see the source)")
	}
	chart, err := LoadChart(*chartDir)
	if err != nil {
		return err
	}
	values, err := ReadValuesFile(filepath.Join(*chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range valueFiles {
		v, err := ReadValuesFile(f)
		if err != nil {
			return err
		}
		values = Coalesce(values, v)
	}
	for _, s := range sets {
		if err := ApplySet(values, s); err != nil {
			return err
		}
	}
	if *dumpValues != "" {
		data, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if *dumpValues == "-" {
			_, err = os.Stdout.Write(data)
			return err
		}
		return os.WriteFile(*dumpValues, data, 0o644)
	}
	manifests, notes, err := Render(Options{
		ChartDir: *chartDir,
		Release: Release{Name: *releaseName, Namespace: *namespace, Service: *service,
			IsInstall: true, Revision: 1},
		APIVersions: apis, KubeVersion: *kubeVersion,
	}, chart, values)
	if err != nil {
		return err
	}
	if *notesFile != "" {
		if err := os.WriteFile(*notesFile, []byte(notes), 0o644); err != nil {
			return err
		}
	}
	if len(only) > 0 {
		var kept []Manifest
		for _, m := range manifests {
			for _, o := range only {
				if filepath.Base(m.Name) == o {
					kept = append(kept, m)
				}
			}
		}
		manifests = kept
	}
	objs, err := SplitObjects(manifests)
	if err != nil {
		return err
	}
	SortObjects(objs)
	if err := checkUnique(objs); err != nil {
		return err
	}
	if *outputDir == "" {
		for _, o := range objs {
			fmt.Printf("---\n# Source: %s\n%s", o.Source, o.Text)
		}
		return nil
	}
	return writeDir(*outputDir, objs)
}

// checkUnique fails on two objects of one kind and name, which an install would refuse.
func checkUnique(objs []Object) error {
	seen := map[string]string{}
	for _, o := range objs {
		id := o.APIVersion + "/" + o.Kind + "/" + o.Name
		if prev, ok := seen[id]; ok {
			return fmt.Errorf("%s %q is rendered twice (%s and %s)", o.Kind, o.Name, prev, o.Source)
		}
		seen[id] = o.Source
	}
	return nil
}

// writeDir writes one file per template (like `helm template --output-dir`, but flat).
func writeDir(dir string, objs []Object) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	byFile := map[string][]Object{}
	for _, o := range objs {
		f := filepath.Base(o.Source)
		byFile[f] = append(byFile[f], o)
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		var b strings.Builder
		for i, o := range byFile[f] {
			if i > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(&b, "# Source: %s\n%s", o.Source, o.Text)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(b.String()), 0o644); err != nil {
			return err
		}
		fmt.Println(f)
	}
	return nil
}
