package safeio

import (
	"bytes"
	"unicode/utf8"
)

// TextError says that an input is not text a parser can read, and where
// that first shows.
type TextError struct {
	Line, Column int
	Msg          string
}

func (e *TextError) Error() string { return e.Msg }

// gitCryptHeader starts every file git-crypt has encrypted.
var gitCryptHeader = []byte("\x00GITCRYPT\x00")

// CheckText reports, as one *TextError, a configuration file that is not
// UTF-8 text: encrypted by git-crypt (locked), holding NUL bytes, or with
// bytes that are not UTF-8. The parsers would report each bad character;
// one error says what the file is.
func CheckText(src []byte) error {
	if bytes.HasPrefix(src, gitCryptHeader) {
		return &TextError{Line: 1, Column: 1, Msg: "encrypted with git-crypt: not read (run git-crypt unlock to analyse it)"}
	}
	bad := bytes.IndexByte(src, 0)
	what := "holds NUL bytes"
	if !utf8.Valid(src) {
		k := 0
		for k < len(src) {
			r, n := utf8.DecodeRune(src[k:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			k += n
		}
		if bad < 0 || k < bad {
			bad, what = k, "is not UTF-8"
		}
	}
	if bad < 0 {
		return nil
	}
	line := 1 + bytes.Count(src[:bad], []byte("\n"))
	col := 1 + utf8.RuneCount(src[bytes.LastIndexByte(src[:bad], '\n')+1:bad])
	return &TextError{Line: line, Column: col, Msg: what + " (a binary or encrypted file?): not read; configuration files are UTF-8 text"}
}
