package main

import "testing"

// TestByteSize pins what --record-buffer accepts and how its default reads
// in --help.
func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"268435456": 256 << 20, "256MiB": 256 << 20, "256MB": 256 << 20, "1GiB": 1 << 30, "64KiB": 64 << 10, " 2 GiB ": 2 << 30,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1MiB", "lots", "1.5GiB", "9999999999GiB"} {
		var b byteSize
		if b.Set(bad) == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	for n, want := range map[byteSize]string{256 << 20: "256MiB", 1 << 30: "1GiB", 1536: "1536", 3 << 10: "3KiB"} {
		if got := n.String(); got != want {
			t.Errorf("String(%d) = %q, want %q", int64(n), got, want)
		}
	}
}
