package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
	"go.yaml.in/yaml/v3"
)

// config is .sgcheck.yaml (docs/config.md): which checks run, at what
// severity, which world-open ports a team accepts, which paths are not
// reported, and defaults for flags. Flags given on the command line win.
type config struct {
	file       string
	enable     map[string]bool
	disable    map[string]bool
	severity   map[string]string
	allowPorts map[string][]int
	exclude    []string
	failOn     string
	icmp       int
	// noPeerIgnores: other scanners' inline comments (checkov:skip,
	// trivy:ignore, tfsec:ignore) suppress nothing (peer-ignores: false)
	noPeerIgnores bool
}

// configError is a problem in the configuration file, with its line.
type configError struct {
	file string
	line int
	msg  string
}

func (e *configError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// findConfig looks for .sgcheck.yaml in the working directory and its
// parents up to the repository root (the directory holding .git).
func findConfig() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, ".sgcheck.yaml")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// loadConfig reads a configuration; known holds the check ids (nil: any
// id is taken, for a first reading before the policies are compiled).
func loadConfig(file string, known map[string]bool) (*config, error) {
	src, err := safeio.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := &config{file: file, enable: map[string]bool{}, disable: map[string]bool{}, severity: map[string]string{}, allowPorts: map[string][]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &configError{file, 1, err.Error()}
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &configError{file, root.Line, "the configuration is a mapping (disable, severity, allow-ports, exclude, fail-on, icmp-idle-timeout, peer-ignores)"}
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return &configError{file, n.Line, fmt.Sprintf(format, args...)}
	}
	checkID := func(n *yaml.Node) (string, error) {
		id := strings.ToUpper(n.Value)
		if n.Kind != yaml.ScalarNode || (known != nil && !known[id]) {
			return "", bad(n, "unknown check id %q", n.Value)
		}
		return id, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "disable", "enable":
			if v.Kind != yaml.SequenceNode {
				return nil, bad(v, "%s is a list of check ids", k.Value)
			}
			for _, n := range v.Content {
				id, err := checkID(n)
				if err != nil {
					return nil, err
				}
				if k.Value == "enable" {
					c.enable[id] = true
				} else {
					c.disable[id] = true
				}
			}
		case "severity":
			if v.Kind != yaml.MappingNode {
				return nil, bad(v, "severity maps check ids to info, low, medium, high or critical")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				id, err := checkID(v.Content[j])
				if err != nil {
					return nil, err
				}
				s := strings.ToUpper(v.Content[j+1].Value)
				if analyzer.SeverityRank(s) < 0 {
					return nil, bad(v.Content[j+1], "unknown severity %q (want info, low, medium, high or critical)", v.Content[j+1].Value)
				}
				c.severity[id] = s
			}
		case "allow-ports":
			if v.Kind != yaml.MappingNode {
				return nil, bad(v, "allow-ports maps check ids to lists of ports")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				id, err := checkID(v.Content[j])
				if err != nil {
					return nil, err
				}
				list := v.Content[j+1]
				if list.Kind != yaml.SequenceNode {
					return nil, bad(list, "allow-ports of %s is a list of ports", id)
				}
				for _, n := range list.Content {
					p, err := strconv.Atoi(n.Value)
					if err != nil || p < 0 || p > 65535 {
						return nil, bad(n, "port %q is not a number from 0 to 65535", n.Value)
					}
					c.allowPorts[id] = append(c.allowPorts[id], p)
				}
			}
		case "exclude":
			if v.Kind != yaml.SequenceNode {
				return nil, bad(v, "exclude is a list of path patterns")
			}
			for _, n := range v.Content {
				if _, err := path.Match(n.Value, ""); err != nil {
					return nil, bad(n, "invalid pattern %q", n.Value)
				}
				c.exclude = append(c.exclude, n.Value)
			}
		case "fail-on":
			if _, ok := failThreshold(v.Value); !ok || v.Kind != yaml.ScalarNode {
				return nil, bad(v, "unknown fail-on %q (want info, low, medium, high, critical or none)", v.Value)
			}
			c.failOn = v.Value
		case "peer-ignores":
			on, err := strconv.ParseBool(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return nil, bad(v, "peer-ignores is true or false, not %q", v.Value)
			}
			c.noPeerIgnores = !on
		case "icmp-idle-timeout":
			n, err := strconv.Atoi(v.Value)
			if err != nil || n <= 0 {
				return nil, bad(v, "icmp-idle-timeout is a positive number of seconds, not %q", v.Value)
			}
			c.icmp = n
		default:
			return nil, bad(k, "unknown key %q (want enable, disable, severity, allow-ports, exclude, fail-on, icmp-idle-timeout, peer-ignores)", k.Value)
		}
	}
	return c, nil
}

// excluded reports whether a file matches an exclude pattern: a pattern
// matches the path, one of its parent directories, or (with "/**") all
// below a directory.
func (c *config) excluded(file string) bool {
	file = filepath.ToSlash(filepath.Clean(file))
	for _, p := range c.exclude {
		p = strings.TrimSuffix(strings.TrimPrefix(p, "./"), "/**")
		for f := file; f != "." && f != "/" && f != ""; f = path.Dir(f) {
			if ok, _ := path.Match(p, f); ok {
				return true
			}
		}
	}
	return false
}

// apply drops the findings of disabled checks, in excluded paths, or whose
// ports are all allowed for their check, and sets severity overrides.
func (c *config) apply(fs []analyzer.Finding) []analyzer.Finding {
	var out []analyzer.Finding
	for _, f := range fs {
		if c.disable[f.ID] || (f.Location != nil && c.excluded(f.Location.File)) || c.allowed(f) {
			continue
		}
		if s := c.severity[f.ID]; s != "" {
			f.Severity = s
		}
		out = append(out, f)
	}
	return out
}

// allowed reports whether every port a finding names is allowed for its
// check.
func (c *config) allowed(f analyzer.Finding) bool {
	allow := c.allowPorts[f.ID]
	if len(allow) == 0 {
		return false
	}
	var ports []int
	if ps, ok := f.Facts["ports"].([]any); ok {
		for _, p := range ps {
			if n, ok := number(p); ok {
				ports = append(ports, n)
			}
		}
	}
	from, ok1 := number(f.Facts["from_port"])
	to, ok2 := number(f.Facts["to_port"])
	if ok1 && ok2 && to-from < 65536 {
		for p := from; p <= to; p++ {
			ports = append(ports, p)
		}
	}
	if len(ports) == 0 {
		return false
	}
	for _, p := range ports {
		if !slices.Contains(allow, p) {
			return false
		}
	}
	return true
}

func number(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// config reads --config or the .sgcheck.yaml found, and applies its
// defaults for the flags the command line did not set. With no file it is
// empty.
func (c *common) config(policies []analyzer.PolicyMeta) (*config, error) {
	known := map[string]bool{}
	for _, p := range policies {
		known[p.ID] = true
	}
	file := c.configFile
	if file == "" {
		file = findConfig()
	}
	if file == "" {
		return &config{}, nil
	}
	cfg, err := loadConfig(file, known)
	if err != nil {
		return nil, err
	}
	if cfg.icmp > 0 && (c.changed == nil || !c.changed("icmp-idle-timeout")) {
		c.icmpTimeout = cfg.icmp
	}
	if cfg.failOn != "" && (c.changed == nil || !c.changed("fail-on")) {
		c.failOn = cfg.failOn
		c.threshold, _ = failThreshold(cfg.failOn)
	}
	return cfg, nil
}

// excludedPaths reads the configuration's exclude list before the inputs
// are loaded (so that excluded directories are not read at all), or nil
// when there is none. A configuration with errors gives nil here: they are
// reported once the policies are known (config).
func (c *common) excludedPaths() func(string) bool {
	file := c.configFile
	if file == "" {
		file = findConfig()
	}
	if file == "" {
		return nil
	}
	cfg, err := loadConfig(file, nil)
	if err != nil || len(cfg.exclude) == 0 {
		return nil
	}
	c.excludeFrom = file
	return cfg.excluded
}

// excludedArgs warns of each path the command line names that the
// configuration excludes whole: nothing under it is read.
func (c *common) excludedArgs(paths []string) []model.Diagnostic {
	var out []model.Diagnostic
	if ex := c.lopts.Terraform.Exclude; ex != nil {
		for _, p := range paths {
			if ex(terraform.DisplayPath(p)) {
				out = append(out, model.Diagnostic{Warning: true,
					Message: fmt.Sprintf("%s is excluded by %s (exclude): nothing under it is read", terraform.DisplayPath(p), terraform.DisplayPath(c.excludeFrom))})
			}
		}
	}
	return out
}

// diagnostics drops those of excluded files.
func (cfg *config) diagnostics(ds []model.Diagnostic) []model.Diagnostic {
	if len(cfg.exclude) == 0 {
		return ds
	}
	var out []model.Diagnostic
	for _, d := range ds {
		if d.File == "" || !cfg.excluded(d.File) {
			out = append(out, d)
		}
	}
	return out
}
