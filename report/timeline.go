package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/sgcheck/sgcheck/scenario"
)

type timelineJSON struct {
	Version int `json:"version"`
	*scenario.Result
}

// TimelineJSON prints a replayed scenario with every packet as an event.
func TimelineJSON(w io.Writer, r *scenario.Result) error {
	if r.Events == nil {
		r.Events = []scenario.Event{}
	}
	return encode(w, timelineJSON{ContractVersion, r})
}

var digits = regexp.MustCompile(`[0-9]+`)

// TimelineText prints a replayed scenario for people. A request and its
// reply print on one line, and runs of the same exchange with the same
// outcome (a ping every second) fold into one line.
func TimelineText(w io.Writer, r *scenario.Result) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "target %s\n", r.Target)
	lines := exchanges(r.Events)
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && lines[j].fold != "" && lines[j].fold == lines[i].fold {
			j++
		}
		l := lines[i]
		when := "t=" + Clock(l.t)
		text := l.text
		if j-i > 1 {
			when += ".." + Clock(lines[j-1].t)
			text += fmt.Sprintf(" ×%d", j-i)
		}
		fmt.Fprintf(b, "%-16s %s\n", when, text)
		i = j
	}
	if r.Failed > 0 {
		fmt.Fprintf(b, "%s failed\n", plural(r.Failed, "expectation"))
	} else {
		fmt.Fprintln(b, "all expectations met")
	}
	return b.Flush()
}

type line struct {
	t    int
	text string
	fold string // lines with the same non-empty fold key fold together
}

// exchanges pairs each request with its reply and renders the lines.
func exchanges(evs []scenario.Event) []line {
	var out []line
	for i := 0; i < len(evs); i++ {
		e := evs[i]
		text := eventText(e)
		fold := ""
		if strings.HasPrefix(e.Event, "request ") && i+1 < len(evs) && strings.HasPrefix(evs[i+1].Event, "reply ") &&
			evs[i+1].Line == e.Line && evs[i+1].T == e.T {
			r := evs[i+1]
			why := r.Why
			if k := strings.IndexAny(why, ",("); k > 0 {
				why = strings.TrimSpace(why[:k])
			}
			text += "; reply → " + r.Verdict + " (" + why + ")"
			fold = fmt.Sprint(e.Line) + digits.ReplaceAllString(text, "#")
			i++
		}
		out = append(out, line{t: e.T, text: text, fold: fold})
	}
	return out
}

func eventText(e scenario.Event) string {
	text := stepText(e.Event, e.Verdict, e.Why)
	if e.OK != nil {
		if *e.OK {
			text += "  ✓ expected " + e.Expect
		} else {
			text += fmt.Sprintf("  ✗ expected %s (line %d)", e.Expect, e.Line)
		}
	}
	return text
}
