package tracking

import (
	"fmt"

	"github.com/sgcheck/sgcheck/model"
)

// Params are the model parameters: numbers AWS does not document, each with
// a stated default, printed wherever it affects a number.
type Params struct {
	// ICMPIdleTimeout is how long an idle ICMP conntrack entry lives.
	// docs/aws-semantics.md §4 lists it as undocumented; §2.6 records that
	// replies resumed after a short pause and stopped after about a minute
	// idle. 60 s is the upper end of that observation, so a window sgcheck
	// reports is never shorter than what AWS may do.
	ICMPIdleTimeout int
}

// DefaultParams are the documented defaults of the model parameters.
var DefaultParams = Params{ICMPIdleTimeout: 60}

// Documented timeouts (docs/aws-semantics.md §1.2, §3, §4).
const (
	DefaultTCPEstablished = 432000 // §4: 5 days
	DefaultUDP            = 30     // §4
	DefaultUDPStream      = 180    // §4
	OtherProtocolTimeout  = 600    // §1.2: address pair + protocol, 600 s
	NLBTCPTimeout         = 350    // §3
	NLBUDPTimeout         = 120    // §3
)

// Window is how long a tracked flow outlives the rule that admitted it once
// the flow is idle, and where that number comes from.
type Window struct {
	Seconds int
	// Source is "declared" (the attachment's connection-tracking settings),
	// "aws-default" (documented default), "aws-documented" (a fixed
	// documented value) or "model-parameter" (undocumented, see Params).
	Source string
	// Setting names the setting or parameter, e.g. "tcp_established_timeout".
	Setting string
	// Note qualifies the number where the instance type decides it: the
	// Nitro v6 default, or that the type is not known.
	Note string
	// UpTo marks a window that is the longest the flows may survive: the
	// instance type that would shorten it is not known.
	UpTo bool
}

// WindowKnown reports whether the idle window of protocol p on att is
// determined: not when the timeout that sets it was declared out of AWS's
// range (an input error), which gives no window.
func WindowKnown(att model.Attachment, p model.Protocol) bool {
	setting := ""
	switch p {
	case model.TCP, model.All:
		setting = "tcp_established_timeout"
	case model.UDP:
		setting = "udp_stream_timeout"
	}
	for _, s := range att.Tracking.Invalid {
		if s == setting {
			return false
		}
	}
	return true
}

// lbIdle is the window a load balancer that closes idle connections sets
// (model.Attachment.IdleTimeout): its connections end once idle that long,
// whatever the connection tracking would keep.
func lbIdle(att model.Attachment) (Window, bool) {
	if att.IdleTimeout <= 0 {
		return Window{}, false
	}
	w := Window{att.IdleTimeout, "aws-default", "idle_timeout", "the load balancer closes connections idle this long", false}
	if att.IdleTimeoutDeclared {
		w.Source = "declared"
	}
	return w, true
}

// WindowFor returns the idle window of a tracked flow of protocol p on att.
func WindowFor(att model.Attachment, p model.Protocol, params Params) Window {
	declared := func(v *int, def int, setting string) Window {
		if v != nil {
			return Window{*v, "declared", setting, "", false}
		}
		return Window{def, "aws-default", setting, "", false}
	}
	if att.AutoTracked == "network-load-balancer" && p.HasPorts() {
		w := Window{NLBTCPTimeout, "aws-documented", "nlb_tcp_idle_timeout", "", false}
		if p == model.UDP {
			w = Window{NLBUDPTimeout, "aws-documented", "nlb_udp_idle_timeout", "", false}
		}
		if len(att.AutoTrackedPorts) > 0 {
			// an attachment not narrowed to the flows at hand
			// (model.Attachment.Through): some may not pass through the
			// load balancer, so the longer window holds
			direct := att
			direct.AutoTracked, direct.AutoTrackedPorts = "", nil
			if d := WindowFor(direct, p, params); d.Seconds > w.Seconds {
				return d
			}
		}
		return w
	}
	switch p {
	case model.TCP, model.All:
		w := declared(att.Tracking.TCPEstablished, DefaultTCPEstablished, "tcp_established_timeout")
		if w.Source == "aws-default" {
			switch {
			case att.InstanceType == "":
				w.Note, w.UpTo = "350 s on Nitro v6 instance types; the instance type is not known", true
			case IsNitroV6(att.InstanceType):
				w.Seconds, w.Note = NitroV6TCPDefault, "the default on Nitro v6 instance types ("+att.InstanceType+")"
			}
		}
		if lb, ok := lbIdle(att); ok && lb.Seconds < w.Seconds {
			return lb
		}
		return w
	case model.UDP:
		// A live flow with more than one request/response is a stream; its
		// timeout is the longer of the two (§4), so the window is the
		// longest: a flow of one request and response (a DNS query) ends
		// after udp_timeout.
		w := declared(att.Tracking.UDPStream, DefaultUDPStream, "udp_stream_timeout")
		single := DefaultUDP
		if att.Tracking.UDP != nil {
			single = *att.Tracking.UDP
		}
		if single < w.Seconds {
			w.Note, w.UpTo = fmt.Sprintf("%d s, udp_timeout, for a flow of one request and response", single), true
		}
		return w
	case model.ICMP, model.ICMPv6:
		return Window{params.ICMPIdleTimeout, "model-parameter", "icmp-idle-timeout", "", false}
	}
	return Window{OtherProtocolTimeout, "aws-documented", "other_protocol_timeout", "", false}
}
