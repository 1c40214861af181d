package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// Values is the tree handed to templates as .Values, decoded the way Helm decodes it
// (sigs.k8s.io/yaml: YAML -> JSON -> interface{}, so every number is a float64).
type Values = map[string]interface{}

// ReadValuesFile reads one values file; an empty file is an empty map.
func ReadValuesFile(path string) (Values, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := Values{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if v == nil {
		v = Values{}
	}
	return v, nil
}

// Coalesce merges override onto base like Helm does for the chart's values.yaml and each -f
// file in turn: maps merge key by key and recursively, any other value (lists included)
// replaces the base value, and an explicit null deletes the key. Neither input is modified.
func Coalesce(base, override Values) Values {
	out := Values{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := out[k].(map[string]interface{})
		om, ook := v.(map[string]interface{})
		if bok && ook {
			out[k] = Coalesce(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// ApplySet applies one --set a.b.c=value (Helm's strvals, without list indexes): the value is
// an int64, a bool, null or else a string, as Helm's --set types them.
func ApplySet(v Values, expr string) error {
	eq := strings.Index(expr, "=")
	if eq <= 0 {
		return fmt.Errorf("--set %q: want key=value", expr)
	}
	path := strings.Split(expr[:eq], ".")
	raw := expr[eq+1:]
	var value interface{} = raw
	if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
		value = i
	} else if raw == "true" || raw == "false" {
		value = raw == "true"
	} else if raw == "null" {
		value = nil
	}
	node := v
	for _, p := range path[:len(path)-1] {
		next, ok := node[p].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			node[p] = next
		}
		node = next
	}
	last := path[len(path)-1]
	if value == nil {
		delete(node, last)
	} else {
		node[last] = value
	}
	return nil
}
