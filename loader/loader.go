// Package loader provides the one entry point from input paths to a
// model.Snapshot: it detects what each input is and hands it to the loader
// for that kind.
package loader

import (
	"context"

	"github.com/sgcheck/sgcheck/loader/terraform"
	"github.com/sgcheck/sgcheck/model"
)

// Options control loading.
type Options struct {
	Terraform terraform.Options
}

// Load reads every input under paths into one snapshot. Diagnostics carry
// file and line; an input with errors never hides the others.
func Load(ctx context.Context, paths []string, opts Options) (*model.Snapshot, []model.Diagnostic) {
	return terraform.Load(ctx, paths, opts.Terraform)
}
