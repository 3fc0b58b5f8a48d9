package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sgcheck/sgcheck/analyzer"
	"github.com/sgcheck/sgcheck/internal/parallel"
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
	if len(r.Findings) == 0 || len(r.Findings) < parallelFindings {
		return encode(w, r)
	}
	// Many findings: they are encoded in parallel, each indented as an
	// element of the findings array, and put in place of the empty array
	// in the rest of the document. The bytes are those of encoding the
	// whole document at once (TestParallelJSONReport).
	findings := r.Findings
	r.Findings = []analyzer.Finding{}
	var doc bytes.Buffer
	if err := encode(&doc, r); err != nil {
		return err
	}
	const empty = `"findings": []`
	at := bytes.Index(doc.Bytes(), []byte(empty))
	if at < 0 {
		return fmt.Errorf("json report: no findings array")
	}
	// small chunks: no buffer grows large (a large buffer's growth costs
	// more than the encoding when memory is near the run's limit)
	const size = 64
	chunks := (len(findings) + size - 1) / size
	parts := make([]bytes.Buffer, chunks)
	errs := make([]error, chunks)
	parallel.Each(chunks, func(k int) {
		enc := newEncoder(&parts[k], "    ") // elements of the top-level findings array
		for i := k * size; i < min((k+1)*size, len(findings)); i++ {
			if i > k*size {
				parts[k].WriteString(",\n    ")
			}
			if errs[k] = enc.Encode(findings[i]); errs[k] != nil {
				return
			}
			parts[k].Truncate(parts[k].Len() - 1) // Encode's newline
		}
	})
	out := bufio.NewWriterSize(w, 64<<10)
	out.Write(doc.Bytes()[:at])
	out.WriteString(`"findings": [` + "\n    ")
	first := true
	for k := range parts {
		if errs[k] != nil {
			return errs[k]
		}
		if parts[k].Len() == 0 {
			continue
		}
		if !first {
			out.WriteString(",\n    ")
		}
		first = false
		out.Write(parts[k].Bytes())
	}
	out.WriteString("\n  ]")
	out.Write(doc.Bytes()[at+len(empty):])
	return out.Flush()
}

// parallelFindings is how many findings a JSON report needs before they
// are encoded in parallel.
var parallelFindings = 512

func encode(w io.Writer, v any) error { return newEncoder(w, "").Encode(v) }

// newEncoder writes indented JSON whose lines after the first begin with
// prefix, HTML characters as they are.
func newEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	return enc
}
