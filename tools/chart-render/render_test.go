package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCoalesceMergesMapsReplacesListsAndNullDeletes(t *testing.T) {
	base := Values{"a": map[string]interface{}{"x": 1.0, "y": 2.0}, "l": []interface{}{1.0, 2.0}, "gone": "v"}
	over := Values{"a": map[string]interface{}{"y": 3.0}, "l": []interface{}{9.0}, "gone": nil, "new": true}
	got := Coalesce(base, over)
	want := Values{"a": map[string]interface{}{"x": 1.0, "y": 3.0}, "l": []interface{}{9.0}, "new": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Coalesce = %v, want %v", got, want)
	}
	if base["gone"] != "v" || base["a"].(map[string]interface{})["y"] != 2.0 {
		t.Fatalf("Coalesce modified its input: %v", base)
	}
}

func TestApplySetTypesLikeHelm(t *testing.T) {
	v := Values{"a": map[string]interface{}{"keep": "k"}}
	for _, s := range []string{"a.n=3", "a.b=true", "a.s=text", "c.d.e=x"} {
		if err := ApplySet(v, s); err != nil {
			t.Fatal(err)
		}
	}
	a := v["a"].(map[string]interface{})
	if a["n"] != int64(3) || a["b"] != true || a["s"] != "text" || a["keep"] != "k" {
		t.Fatalf("--set gave %v", a)
	}
	if v["c"].(map[string]interface{})["d"].(map[string]interface{})["e"] != "x" {
		t.Fatalf("--set did not create nested maps: %v", v)
	}
	if err := ApplySet(v, "novalue"); err == nil {
		t.Fatal("--set without = must fail")
	}
}

// renderOne renders a one-template chart and returns its output or error.
func renderOne(t *testing.T, tpl string, values Values, apis ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 1.2.3\nappVersion: \"9\"\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "templates", "_h.tpl"), []byte(`{{- define "c.x" -}}x={{ .v }}{{- end -}}`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "templates", "t.yaml"), []byte(tpl), 0o644))
	chart, err := LoadChart(dir)
	must(err)
	ms, _, err := Render(Options{ChartDir: dir, Release: Release{Name: "r", Namespace: "ns", Service: "Helm"},
		APIVersions: apis, KubeVersion: "v1.29.0"}, chart, values)
	if err != nil {
		return "", err
	}
	return ms[0].Content, nil
}

func TestHelmBuiltinsAndFunctions(t *testing.T) {
	tpl := `{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }}
{{ include "c.x" (dict "v" 7) }} {{ tpl "{{ .Release.Name }}-t" . }} [{{ .Values.missing }}]
{{ .Capabilities.APIVersions.Has "keda.sh/v1alpha1" }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "nope/v1" }}
{{ toYaml .Values.m | nindent 2 }}
{{ toJson .Values.m }} {{ (fromYaml "a: 1").a }} {{ len (lookup "v1" "Secret" "ns" "s") }} {{ .Values.n }}`
	out, err := renderOne(t, tpl, Values{"m": map[string]interface{}{"b": []interface{}{"x"}, "a": 1.0}, "n": 10001.0}, "keda.sh/v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	want := "r ns Helm c 1.2.3 9\nx=7 r-t []\ntrue true false\n\n  a: 1\n  b:\n  - x\n{\"a\":1,\"b\":[\"x\"]} 1 0 10001"
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestRequiredAndFailStopTheRender(t *testing.T) {
	if _, err := renderOne(t, `{{ required "x.y is required" .Values.y }}`, Values{}); err == nil || !strings.Contains(err.Error(), "x.y is required") {
		t.Fatalf("required: err = %v", err)
	}
	if _, err := renderOne(t, `{{ required "need s" "" }}`, Values{}); err == nil {
		t.Fatal("required must reject an empty string")
	}
	if _, err := renderOne(t, `{{ fail "boom" }}`, Values{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("fail: err = %v", err)
	}
	if _, err := renderOne(t, `{{ env "HOME" }}`, Values{}); err == nil {
		t.Fatal("env must not exist (Helm removes it)")
	}
	if _, err := renderOne(t, `{{ .Values.a.b.c }}`, Values{}); err == nil {
		t.Fatal("a field of a missing map must fail as in Helm")
	}
	if _, err := renderOne(t, `{{ if }}`, Values{}); err == nil || !strings.Contains(err.Error(), "parse error") {
		t.Fatalf("a broken template must fail to parse: %v", err)
	}
}

func TestSplitObjectsChecksEachDocument(t *testing.T) {
	objs, err := SplitObjects([]Manifest{{Name: "c/templates/a.yaml", Content: "---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n\n"}})
	if err != nil || len(objs) != 1 || objs[0].Kind != "Service" || objs[0].Name != "s" {
		t.Fatalf("objs = %v, err = %v", objs, err)
	}
	if _, err := SplitObjects([]Manifest{{Name: "c/templates/b.yaml", Content: "kind: Service\nmetadata:\n  name: s\n"}}); err == nil {
		t.Fatal("an object without apiVersion must be rejected")
	}
	if _, err := SplitObjects([]Manifest{{Name: "c/templates/b.yaml", Content: "apiVersion: v1\nkind: [\n"}}); err == nil {
		t.Fatal("invalid YAML must be rejected")
	}
}

func TestSortObjectsFollowsHelmInstallOrder(t *testing.T) {
	objs := []Object{{Kind: "Deployment", Name: "b"}, {Kind: "Job", Name: "j", Hook: "post-install"},
		{Kind: "ScaledObject", Name: "s"}, {Kind: "Service", Name: "a"}, {Kind: "Deployment", Name: "a"}}
	SortObjects(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.Kind+"/"+o.Name)
	}
	want := []string{"Service/a", "Deployment/a", "Deployment/b", "ScaledObject/s", "Job/j"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
}
