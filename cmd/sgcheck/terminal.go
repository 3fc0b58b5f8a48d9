package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sgcheck/sgcheck/report"
	"golang.org/x/term"
)

// terminal describes where a report goes: a terminal's width, and whether
// it wants colour. Anything that is not a terminal gets DefaultWidth and no
// colour, so that files and CI logs are the same everywhere.
type terminal struct {
	width int
	color bool
}

// terminalOf looks at w: a terminal folds the text report to its width and
// colours severities unless NO_COLOR is set (https://no-color.org), TERM
// is dumb or --no-color was given.
func terminalOf(w io.Writer, noColor bool) terminal {
	t := terminal{width: report.DefaultWidth}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return t
	}
	if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols >= 40 {
		t.width = cols
	} else if cols, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && cols >= 40 {
		t.width = cols
	}
	_, noColorEnv := os.LookupEnv("NO_COLOR")
	t.color = !noColor && !noColorEnv && os.Getenv("TERM") != "dumb"
	return t
}

// progress shows, on a terminal's standard error only, what a run is doing
// once it has taken longer than delay: one line, rewritten in place, and
// cleared when the run ends.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	phase string
	start time.Time
	shown bool
	done  chan struct{}
	wg    sync.WaitGroup
}

// startProgress starts the indicator when stderr is a terminal; otherwise
// it returns an indicator that does nothing.
func startProgress(stderr io.Writer, delay time.Duration) *progress {
	p := &progress{w: stderr, start: time.Now(), done: make(chan struct{})}
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-p.done:
			return
		case <-timer.C:
		}
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			p.draw()
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// set names the current phase ("reading files", "analysing", …).
func (p *progress) set(phase string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.phase = phase
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\x1b[Ksgcheck: %s… %ds", p.phase, int(time.Since(p.start).Seconds()))
	p.shown = true
}

// stop ends the indicator and clears its line.
func (p *progress) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
		close(p.done)
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
