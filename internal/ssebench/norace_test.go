//go:build !race

package ssebench

const raceBuild = false
