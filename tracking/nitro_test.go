package tracking

import (
	"strings"
	"testing"

	"github.com/sgcheck/sgcheck/model"
)

// §4: the TCP established default is 350 s on Nitro v6 instance types
// (except P6e-GB200) and 432000 s on all others (EC2 API Reference,
// ConnectionTrackingSpecification); a declared value wins; where the type
// is not known the window says so.
func TestTCPDefaultByInstanceType(t *testing.T) {
	declared := 900
	for _, tc := range []struct {
		typ      string
		declared *int
		seconds  int
		note     string
	}{
		{"m8i.large", nil, 350, "Nitro v6"},
		{"c8gn.4xlarge", nil, 350, "Nitro v6"},
		{"P6-B200.48xlarge", nil, 350, "Nitro v6"},
		{"p6e-gb200.36xlarge", nil, 432000, ""},
		{"t3.micro", nil, 432000, ""},
		{"m7i.large", nil, 432000, ""},
		{"", nil, 432000, "350 s on Nitro v6 instance types; the instance type is not known"},
		{"m8i.large", &declared, 900, ""},
	} {
		att := model.Attachment{InstanceType: tc.typ, Tracking: model.ConnTracking{TCPEstablished: tc.declared}}
		w := WindowFor(att, model.TCP, DefaultParams)
		if w.Seconds != tc.seconds || (tc.note == "") != (w.Note == "") || !strings.Contains(w.Note, tc.note) {
			t.Errorf("%q: %d s %q, want %d s with %q", tc.typ, w.Seconds, w.Note, tc.seconds, tc.note)
		}
	}
	// UDP defaults do not depend on the type
	if w := WindowFor(model.Attachment{InstanceType: "m8i.large"}, model.UDP, DefaultParams); w.Seconds != DefaultUDPStream {
		t.Errorf("udp on Nitro v6: %d", w.Seconds)
	}
}

// docs/aws-semantics.md §4: a UDP flow of one request and response ends
// after udp_timeout (30 s by default), a stream after udp_stream_timeout
// (180 s): the window is the longer, marked as the longest, naming the
// shorter.
func TestUDPWindowIsTheLongest(t *testing.T) {
	w := WindowFor(model.Attachment{}, model.UDP, DefaultParams)
	if w.Seconds != 180 || !w.UpTo || w.Note != "30 s, udp_timeout, for a flow of one request and response" {
		t.Errorf("default: %+v", w)
	}
	short, stream := 45, 60
	w = WindowFor(model.Attachment{Tracking: model.ConnTracking{UDP: &short, UDPStream: &stream}}, model.UDP, DefaultParams)
	if w.Seconds != 60 || w.Source != "declared" || !w.UpTo || !strings.HasPrefix(w.Note, "45 s") {
		t.Errorf("declared: %+v", w)
	}
	same := 60
	if w := WindowFor(model.Attachment{Tracking: model.ConnTracking{UDP: &same, UDPStream: &same}}, model.UDP, DefaultParams); w.UpTo || w.Note != "" {
		t.Errorf("equal timeouts: %+v", w)
	}
}
