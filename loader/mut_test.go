package loader

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgcheck/sgcheck/loader/terraform"
)

// TestMutatedConfigurations feeds the Terraform loader thousands of seeded
// random corruptions of the fixtures (bytes changed, cut, large numbers
// inserted): none may panic, and every error must carry a line.
func TestMutatedConfigurations(t *testing.T) {
	files, _ := filepath.Glob("../fixtures/*/*.tf")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		src, _ := os.ReadFile(files[rng.IntN(len(files))])
		for k := 0; k < 1+rng.IntN(5); k++ {
			p := rng.IntN(len(src))
			switch rng.IntN(3) {
			case 0:
				src[p] = byte(rng.IntN(256))
			case 1:
				src = append(src[:p], src[min(len(src), p+rng.IntN(20)):]...)
			case 2:
				src = append(src[:p], append([]byte("9999999"), src[p:]...)...)
			}
			if len(src) == 0 {
				src = []byte("x")
			}
		}
		opts := terraform.Options{Files: []string{"m/main.tf"}, Env: []string{},
			ReadFile: func(string) ([]byte, error) { return src, nil }}
		_, diags := terraform.Load(context.Background(), []string{"m"}, opts)
		for _, d := range diags {
			if !d.Warning && d.Line == 0 {
				t.Fatalf("case %d: error without a line: %s\n%s", i, d, src)
			}
		}
	}
}
