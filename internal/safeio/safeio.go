// Package safeio reads input files so that no input can crash or stall a
// run: only regular files are read (never a device, pipe or socket, even
// through a symbolic link), each read is capped, and a run's reads share a
// total budget. It also checks nesting depth before a recursive parser
// sees a file.
package safeio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// MaxFile is the largest input file read, in bytes.
const MaxFile = 64 << 20

// MaxTotal is the most a run reads in all, in bytes.
const MaxTotal = 1 << 30

// ErrNotRegular is returned for anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError names what the file is instead.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("not a regular file (%s): not read", kind(e.Mode))
}

func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "not a regular file"
}

// Budget is a run's total read allowance; the zero value allows MaxTotal.
type Budget struct{ used atomic.Int64 }

// ReadFile reads path if it is a regular file of at most MaxFile bytes and
// the budget allows it; b may be nil (no total).
func (b *Budget) ReadFile(path string) ([]byte, error) {
	info, err := os.Stat(path) // follows symbolic links: their target is what would be read
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if info.Size() > MaxFile {
		return nil, fmt.Errorf("%d MiB, over the %d MiB sgcheck reads of one input file", info.Size()>>20, MaxFile>>20)
	}
	if b != nil && b.used.Add(info.Size()) > MaxTotal {
		return nil, fmt.Errorf("the inputs together exceed the %d MiB sgcheck reads in one run", MaxTotal>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// the file may have grown since the check: never read past the cap.
	// The buffer is the size found (and a byte to see the end), not grown
	// from 512 bytes as io.ReadAll's is.
	r := io.LimitReader(f, MaxFile+1)
	src := make([]byte, 0, max(info.Size()+1, 512))
	for {
		n, err := r.Read(src[len(src):cap(src)])
		src = src[:len(src)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(src) == cap(src) { // it grew since the check
			src = append(src, 0)[:len(src)]
		}
	}
	if len(src) > MaxFile {
		return nil, fmt.Errorf("grew over the %d MiB sgcheck reads of one input file", MaxFile>>20)
	}
	return src, nil
}

// ReadFile reads one file with the per-file cap and no total.
func ReadFile(path string) ([]byte, error) { return (*Budget)(nil).ReadFile(path) }
