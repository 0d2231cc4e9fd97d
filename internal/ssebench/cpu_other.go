//go:build !unix

package ssebench

import "time"

// CPU time is not measured here.
func processCPU() time.Duration { return 0 }
func hostCPU() time.Duration    { return 0 }
