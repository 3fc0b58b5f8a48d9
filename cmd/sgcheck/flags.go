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
	// format is the format of the report on standard output (or --output);
	// outputs lists every report a run writes (--format, repeatable, each
	// FORMAT or FORMAT=FILE).
	format      string
	formatSpecs []string
	outputs     []outputSpec
	// multiFormat allows several --format (the scan and diff commands)
	multiFormat bool
	// minSeverity is --minimum-severity: findings below it are left out
	minSeverity string
	minRank     int
	// automationID is --sarif-category
	automationID string
	// noColor is --no-color; progress shows what a long run is doing
	noColor  bool
	progress *progress
	// revision is --base's revision, read from the start of the run
	revision    *revisionRead
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
	// engine is the policy engine being compiled while the inputs load
	// (prepareEngine)
	engine chan engineResult
	// prepared is the head of a change analysis as analyzer.Prepare gives
	// it, computed while the base loads (prepareHead); nil when not
	prepared chan *analyzer.Prepared
	// set by check
	threshold int
	lopts     loader.Options
	// excludeFrom is the configuration file whose exclude list lopts
	// applies, if any.
	excludeFrom string
}

func (c *common) registerFailOn(fs *flag.FlagSet) {
	fs.StringVar(&c.failOn, "fail-on", "low", "exit 1 when a finding has at least this `SEVERITY` (info|low|medium|high|critical|none)")
	fs.StringVar(&c.automationID, "sarif-category", "", "SARIF automationDetails.id (code scanning's category), for repositories that scan several roots separately: `CATEGORY`")
	fs.StringVar(&c.minSeverity, "minimum-severity", "", "leave out findings below `SEVERITY` (info|low|medium|high|critical): not reported, not counted for --fail-on")
	c.multiFormat = true
}

// check validates the flags and derives what the run needs from them.
func (c *common) check(formats []string) error {
	if err := c.parseOutputs(formats); err != nil {
		return err
	}
	if c.minSeverity != "" {
		r, ok := failThreshold(c.minSeverity)
		if !ok || c.minSeverity == "none" {
			return fmt.Errorf("unknown --minimum-severity %q (want info, low, medium, high or critical)", c.minSeverity)
		}
		c.minRank = r
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
	fs.StringArrayVarP(&c.formatSpecs, "format", "f", nil, "output `FORMAT` ("+formats+"; default text), or FORMAT=FILE to write that report to a file (repeatable: one scan, every report)")
	fs.StringVarP(&c.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.StringArrayVar(&c.policies, "policy", nil, "also evaluate the Rego policies in `DIR` (repeatable)")
	fs.DurationVar(&c.policyTimeout, "policy-timeout", analyzer.DefaultPolicyTimeout,
		"stop a user policy's evaluation after `DURATION` (its findings are not reported)")
	fs.IntVar(&c.icmpTimeout, "icmp-idle-timeout", tracking.DefaultParams.ICMPIdleTimeout,
		"model parameter: idle `SECONDS` after which AWS drops an ICMP conntrack entry (undocumented by AWS)")
	fs.Var(&varFlag{&c.varArgs, false}, "var", "set a Terraform root variable, `NAME=VALUE` (repeatable)")
	fs.Var(&varFlag{&c.varArgs, true}, "var-file", "read Terraform root variables from a .tfvars `FILE` (repeatable)")
	fs.BoolVar(&c.noColor, "no-color", false, "never colour the text report (also: the NO_COLOR environment variable)")
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
	o.Terraform.Exclude = c.excludedPaths()
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
// outputSpec is one report to write: its format and file ("" for standard
// output, or --output).
type outputSpec struct{ format, dest string }

// parseOutputs reads the --format flags: FORMAT goes to standard output
// (or --output), FORMAT=FILE to FILE; one report at most has no file.
func (c *common) parseOutputs(formats []string) error {
	specs := c.formatSpecs
	if len(specs) == 0 {
		specs = []string{"text"}
	}
	if len(specs) > 1 && !c.multiFormat {
		return fmt.Errorf("this command writes one --format")
	}
	c.outputs, c.format = nil, ""
	toStdout := false
	for _, spec := range specs {
		name, dest, hasDest := strings.Cut(spec, "=")
		if !validFormat(name, formats) {
			return fmt.Errorf("unknown --format %q (want %s)", name, strings.Join(formats, ", "))
		}
		switch {
		case hasDest && dest == "":
			return fmt.Errorf("--format %s: no file after =", spec)
		case !hasDest && toStdout:
			return fmt.Errorf("two --format without a file: give all but one a file (FORMAT=FILE)")
		case !hasDest:
			toStdout, dest, c.format = true, c.output, name
		}
		c.outputs = append(c.outputs, outputSpec{name, dest})
	}
	if c.format == "" {
		if c.output != "" {
			return fmt.Errorf("--output writes the report that has no =FILE, and every --format has one")
		}
		c.format = c.outputs[0].format
	}
	return nil
}

// textOnStdout says whether a text report goes to standard output (where
// it lists the input errors itself).
func (c *common) textOnStdout() bool {
	for _, o := range c.outputs {
		if o.format == "text" && (o.dest == "" || o.dest == "-") {
			return true
		}
	}
	return false
}

// emitAll writes every report of the run.
func (c *common) emitAll(stdout, stderr io.Writer, write func(w io.Writer, format string) error) bool {
	ok := true
	for _, o := range c.outputs {
		ok = emitTo(o.dest, stdout, stderr, func(w io.Writer) error { return write(w, o.format) }) && ok
	}
	return ok
}

// emit writes the one report of a command to --output or standard output.
func (c *common) emit(stdout, stderr io.Writer, write func(io.Writer) error) bool {
	return emitTo(c.output, stdout, stderr, write)
}

// emitTo writes a report to dest ("" or "-": standard output), saying on
// stderr why it could not.
func emitTo(dest string, stdout, stderr io.Writer, write func(io.Writer) error) bool {
	out, closeOut := stdout, func() error { return nil }
	if dest != "" && dest != "-" {
		f, err := os.Create(dest)
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
		// descriptions wrap to the terminal (the report's width elsewhere)
		fmt.Fprint(stdout, fs.FlagUsagesWrapped(terminalOf(stdout, true).width))
		return exitClean, true
	}
	return usageError(stderr, "%v", err), true
}
