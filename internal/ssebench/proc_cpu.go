package ssebench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// pidCPU is the CPU time, user and system, process pid has used so far,
// from Linux's /proc/<pid>/stat (utime and stime, in USER_HZ ticks).
func pidCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read process CPU: %w", err)
	}
	// The command name in parentheses may hold spaces: count fields after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("read process CPU: no command in /proc/%d/stat", pid)
	}
	fields := bytes.Fields(b[i+1:]) // state ppid ... utime (12th here) stime (13th)
	if len(fields) < 13 {
		return 0, fmt.Errorf("read process CPU: short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read process CPU: %w", err)
		}
		ticks += n
	}
	const userHZ = 100
	return time.Duration(ticks) * (time.Second / userHZ), nil
}
