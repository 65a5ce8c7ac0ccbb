package executeimpl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bkjob/bkjob/modules/execute"
)

// rollingPart is one space-separated part of a rolling expression.
type rollingPart struct {
	kind byte // 'n' count, '%' percent of all targets, '+' previous + n, '*' previous × n
	n    int
	text string
}

// parseRollingExpr parses bk-job's rolling expression: space-separated parts
// `N` (N hosts), `N%` (ceil(total×N/100) hosts), `+N` (previous batch + N),
// `*N` (previous batch × N); part i sizes batch i and the last part repeats
// until the targets run out.
func parseRollingExpr(expr string) ([]rollingPart, error) {
	fields := strings.Fields(expr)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty expression: give space-separated parts like \"1 10%% +5 *2\"")
	}
	parts := make([]rollingPart, 0, len(fields))
	for i, f := range fields {
		p := rollingPart{kind: 'n', text: f}
		num := f
		switch {
		case strings.HasSuffix(f, "%"):
			p.kind, num = '%', strings.TrimSuffix(f, "%")
		case strings.HasPrefix(f, "+"):
			p.kind, num = '+', strings.TrimPrefix(f, "+")
		case strings.HasPrefix(f, "*"):
			p.kind, num = '*', strings.TrimPrefix(f, "*")
		}
		n, err := strconv.Atoi(num)
		if err != nil || num == "" || num[0] == '+' || num[0] == '-' {
			return nil, fmt.Errorf("part %d %q: want N, N%%, +N or *N with N a positive integer", i+1, f)
		}
		switch {
		case n < 1:
			return nil, fmt.Errorf("part %d %q: N must be at least 1", i+1, f)
		case p.kind == '%' && n > 100:
			return nil, fmt.Errorf("part %d %q: a percentage must be 1..100", i+1, f)
		case p.kind == '*' && n < 2:
			return nil, fmt.Errorf("part %d %q: a multiplier must be at least 2", i+1, f)
		}
		p.n = n
		parts = append(parts, p)
	}
	return parts, nil
}

// planBatches sizes the batches of total targets. It fails when the plan
// needs more than execute.MaxRollingBatches batches.
func planBatches(parts []rollingPart, total int) ([]int, error) {
	if total < 1 {
		return nil, fmt.Errorf("no targets to roll over")
	}
	var sizes []int
	left, prev := total, 0
	for i := 0; left > 0; i++ {
		p := parts[min(i, len(parts)-1)]
		n := min(p.n, total) // keeps the arithmetic below far from overflow
		size := n
		switch p.kind {
		case '%':
			size = (total*p.n + 99) / 100
		case '+':
			if i > 0 {
				size = prev + n
			}
		case '*':
			if i > 0 {
				size = prev * n
			}
		}
		size = max(1, min(size, left))
		sizes = append(sizes, size)
		if len(sizes) > execute.MaxRollingBatches {
			return nil, fmt.Errorf("the expression makes more than %d batches for %d targets", execute.MaxRollingBatches, total)
		}
		left -= size
		prev = size
	}
	return sizes, nil
}

// rollingPlan parses expr and sizes it for total targets.
func rollingPlan(expr string, total int) ([]int, error) {
	parts, err := parseRollingExpr(expr)
	if err != nil {
		return nil, err
	}
	return planBatches(parts, total)
}
