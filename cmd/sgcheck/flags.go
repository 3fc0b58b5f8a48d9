package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/loader"
	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/tracking"
	flag "github.com/spf13/pflag"
)

// common holds the flags every analysing subcommand shares.
type common struct {
	format      string
	output      string
	policies    []string
	icmpTimeout int
	varArgs     []terraform.VarArg
	failOn      string
	// policyTimeout bounds each user policy's evaluation
	policyTimeout time.Duration
	// configFile is --config; changed says which flags the command line set
	// (they win over the configuration file).
	configFile string
	changed    func(string) bool
	// set by check
	threshold int
	lopts     loader.Options
}

func (c *common) registerFailOn(fs *flag.FlagSet) {
	fs.StringVar(&c.failOn, "fail-on", "low", "exit 1 when a finding has at least this `SEVERITY` (info|low|medium|high|critical|none)")
}

// check validates the flags and derives what the run needs from them.
func (c *common) check(formats []string) error {
	if !validFormat(c.format, formats) {
		return fmt.Errorf("unknown --format %q (want %s)", c.format, strings.Join(formats, ", "))
	}
	if c.failOn != "" {
		t, ok := failThreshold(c.failOn)
		if !ok {
			return fmt.Errorf("unknown --fail-on %q", c.failOn)
		}
		c.threshold = t
	}
	if err := c.validate(); err != nil {
		return err
	}
	var err error
	c.lopts, err = c.loadOptions()
	return err
}

func (c *common) register(fs *flag.FlagSet, formats string) {
	fs.StringVarP(&c.format, "format", "f", "text", "output format: "+formats)
	fs.StringVarP(&c.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.StringArrayVar(&c.policies, "policy", nil, "also evaluate the Rego policies in `DIR` (repeatable)")
	fs.DurationVar(&c.policyTimeout, "policy-timeout", analyzer.DefaultPolicyTimeout,
		"stop a user policy's evaluation after `DURATION` (its findings are not reported)")
	fs.IntVar(&c.icmpTimeout, "icmp-idle-timeout", tracking.DefaultParams.ICMPIdleTimeout,
		"model parameter: idle `SECONDS` after which AWS drops an ICMP conntrack entry (undocumented by AWS)")
	fs.Var(&varFlag{&c.varArgs, false}, "var", "set a Terraform root variable, `NAME=VALUE` (repeatable)")
	fs.Var(&varFlag{&c.varArgs, true}, "var-file", "read Terraform root variables from a .tfvars `FILE` (repeatable)")
	fs.StringVar(&c.configFile, "config", "", "read the configuration from `FILE` (default: .sgcheck.yaml here or up to the repository root)")
	c.changed = fs.Changed
}

func (c *common) params() tracking.Params {
	p := tracking.DefaultParams
	p.ICMPIdleTimeout = c.icmpTimeout
	return p
}

// varFlag collects --var and --var-file into one list, so that they apply
// in command-line order as in Terraform (the later wins).
type varFlag struct {
	list *[]terraform.VarArg
	file bool
}

func (f *varFlag) Set(s string) error {
	if f.file {
		*f.list = append(*f.list, terraform.VarArg{File: s})
		return nil
	}
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE")
	}
	*f.list = append(*f.list, terraform.VarArg{Name: k, Value: v})
	return nil
}

func (f *varFlag) String() string { return "" }

func (f *varFlag) Type() string { return "string" }

func (c *common) loadOptions() (loader.Options, error) {
	var o loader.Options
	o.Terraform.VarArgs = c.varArgs
	return o, nil
}

func (c *common) validate() error {
	if c.icmpTimeout <= 0 {
		return fmt.Errorf("--icmp-idle-timeout must be positive")
	}
	if c.policyTimeout <= 0 {
		return fmt.Errorf("--policy-timeout must be positive")
	}
	return nil
}

// emit writes the report to --output (or stdout) with write; on failure
// it prints the error and reports false.
func (c *common) emit(stdout, stderr io.Writer, write func(io.Writer) error) bool {
	out, closeOut := stdout, func() error { return nil }
	if c.output != "" && c.output != "-" {
		f, err := os.Create(c.output)
		if err != nil {
			fmt.Fprintf(stderr, "sgcheck: %v\n", err)
			return false
		}
		out, closeOut = f, f.Close
	}
	err := write(out)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "sgcheck: %v\n", err)
		return false
	}
	return true
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parseFlags reports errors itself
	fs.SortFlags = false
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args. --help prints the usage to stdout (exit 0); a
// flag error prints one line naming it and a hint (exit 2). done says the
// command ends here with code.
func parseFlags(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nFlags:")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitClean, true
	}
	return usageError(stderr, "%v", err), true
}
