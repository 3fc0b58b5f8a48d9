package analyzer

import "fmt"

// HumanDuration renders seconds in the largest whole unit, e.g. "5 days".
func HumanDuration(seconds int) string {
	for _, u := range []struct {
		n    int
		name string
	}{{86400, "day"}, {3600, "hour"}, {60, "minute"}} {
		if seconds >= u.n && seconds%u.n == 0 {
			if n := seconds / u.n; n != 1 {
				return fmt.Sprintf("%d %ss", n, u.name)
			}
			return "1 " + u.name
		}
	}
	if seconds == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", seconds)
}
