package pos

import "math/bits"

// RoundDiv returns n/d rounded half away from zero. d must be positive.
func RoundDiv(n, d int64) int64 {
	if d <= 0 {
		panic("pos: RoundDiv with non-positive divisor")
	}
	if n >= 0 {
		return (n + d/2) / d
	}
	return -((-n + d/2) / d)
}

// RoundTo rounds amount to the nearest multiple of step, half away from zero.
// A step of 0 or 1 returns amount unchanged.
func RoundTo(amount, step int64) int64 {
	if step <= 1 {
		return amount
	}
	return RoundDiv(amount, step) * step
}

// Percent returns bp basis points of amount (10000 bp = 100 %), rounded by
// RoundDiv.
func Percent(amount, bp int64) int64 {
	return RoundDiv(amount*bp, 10000)
}

// spread divides total over weights in proportion by the largest-remainder
// method: the shares add up to total exactly. Ties go to the earlier weight.
// Weights must be non-negative; if they add up to zero the whole total
// goes to the first weight. Products are taken
// in 128 bits, so no amount the till accepts can overflow.
func spread(total int64, weights []int64) []int64 {
	shares := make([]int64, len(weights))
	if len(weights) == 0 {
		return shares
	}
	var sum uint64
	for _, w := range weights {
		sum += uint64(w)
	}
	if sum == 0 {
		shares[0] = total
		return shares
	}
	neg := total < 0
	abs := uint64(total)
	if neg {
		abs = uint64(-total)
	}
	whole := abs / sum // 0 when abs <= sum, as for discounts
	abs -= whole * sum
	rem := make([]uint64, len(weights))
	var given uint64
	for i, w := range weights {
		hi, lo := bits.Mul64(abs, uint64(w))
		q, r := bits.Div64(hi, lo, sum) // hi < sum because abs < sum
		shares[i], rem[i] = int64(whole*uint64(w)+q), r
		given += q
	}
	for left := abs - given; left > 0; left-- {
		best := -1
		for i := range rem {
			if rem[i] != ^uint64(0) && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		shares[best]++
		rem[best] = ^uint64(0) // taken
	}
	if neg {
		for i := range shares {
			shares[i] = -shares[i]
		}
	}
	return shares
}
