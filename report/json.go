package report

import (
	"encoding/json"
	"io"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/model"
)

// ContractVersion is the version of the JSON output contract (DESIGN.md).
const ContractVersion = 1

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonReport struct {
	Version    int                   `json:"version"`
	Tool       jsonTool              `json:"tool"`
	Findings   []analyzer.Finding    `json:"findings"`
	Suppressed []analyzer.Suppressed `json:"suppressed,omitempty"`
	Errors     []model.Diagnostic    `json:"errors"`
	Internal   []string              `json:"internal_errors,omitempty"`
	Unknowns   int                   `json:"unknowns"`
	Read       Counts                `json:"read"`
	Notes      []string              `json:"notes,omitempty"`
}

// JSON prints the findings document of contract v1.
func JSON(w io.Writer, run Run) error {
	r := jsonReport{Version: ContractVersion, Tool: jsonTool{"sgcheck", run.ToolVersion},
		Findings: run.Findings, Suppressed: run.Suppressed, Errors: run.Errors, Internal: run.Internal, Unknowns: run.Unknowns,
		Read: run.Read, Notes: run.Notes}
	if r.Findings == nil {
		r.Findings = []analyzer.Finding{}
	}
	if r.Errors == nil {
		r.Errors = []model.Diagnostic{}
	}
	return encode(w, r)
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
