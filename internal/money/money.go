// Package money holds amounts of money as exact decimals: an Amount counts
// ten-thousandths of a currency unit in an int64, so sums are exact, the
// database stores and orders a plain integer on every dialect, and every ISO
// 4217 currency's minor unit (at most 4 decimals) is representable.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Scale is the number of decimals an Amount keeps.
const Scale = 4

// unit is one currency unit in Amount's counts (10^Scale).
const unit = 10000

// Amount is an amount of money in ten-thousandths of its currency's unit.
type Amount int64

// Max is the largest amount accepted from a client (a hundred trillion
// units), far from overflow when amounts are added up.
const Max = Amount(100_000_000_000_000 * unit)

// ErrSyntax is returned by Parse for text that is not a decimal number.
var ErrSyntax = errors.New("not a decimal number")

// Parse reads a decimal such as "1234.50", "-3" or "0.125": digits with an
// optional sign and at most Scale decimals. Exponents are refused.
func Parse(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" && frac == "" || hasDot && frac == "" || !digits(whole) || !digits(frac) {
		return 0, ErrSyntax
	}
	if len(frac) > Scale {
		return 0, fmt.Errorf("%q has more than %d decimals", s, Scale)
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	frac += strings.Repeat("0", Scale-len(frac))
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(w*unit + f)
	if a > Max {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if neg {
		a = -a
	}
	return a, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FromFloat reads a number that arrived as a float (a GraphQL Float literal
// or JSON number), through its shortest decimal form, so 12.34 is exactly
// 12.34.
func FromFloat(f float64) (Amount, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, ErrSyntax
	}
	return Parse(strconv.FormatFloat(f, 'f', -1, 64))
}

// String writes the amount with at least two decimals and no trailing zeros
// beyond them: "1234.50", "0.125", "-3.00".
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	frac := fmt.Sprintf("%04d", v%unit)
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return fmt.Sprintf("%s%d.%s", sign, v/unit, frac)
}

// Format writes the amount with exactly the decimals of the currency's minor
// unit: "1234.50" for EUR, "1235" for JPY.
func (a Amount) Format(code string) string {
	d := Decimals(code)
	r := a.Round(code)
	s := r.String()
	whole, frac, _ := strings.Cut(s, ".")
	frac += "0000"
	if d == 0 {
		return whole
	}
	return whole + "." + frac[:d]
}

// Float is the amount as a float, for ratios and charts only.
func (a Amount) Float() float64 { return float64(a) / unit }

// Decimals is the number of decimals of a currency's minor unit (2 for EUR, 0
// for JPY, 3 for KWD); 2 for a code it does not know.
func Decimals(code string) int {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

// Round rounds the amount to the currency's minor unit, half away from zero.
func (a Amount) Round(code string) Amount {
	step := int64(math.Pow10(Scale - Decimals(code)))
	v := int64(a)
	q, r := v/step, v%step
	if 2*abs(r) >= step {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return Amount(q * step)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// FitsCurrency reports an error when the amount has more decimals than the
// currency's minor unit (12.345 EUR).
func (a Amount) FitsCurrency(code string) error {
	if a.Round(code) != a {
		return fmt.Errorf("%s has more decimals than %s allows (%d)", a, code, Decimals(code))
	}
	return nil
}

// Div divides the amount by n, rounded to the currency's minor unit, half
// away from zero; false when n is not positive.
func (a Amount) Div(n int64, code string) (Amount, bool) {
	if n <= 0 {
		return 0, false
	}
	step := int64(math.Pow10(Scale - Decimals(code)))
	d := n * step
	v := int64(a)
	q, r := v/d, v%d
	if 2*abs(r) >= d {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return Amount(q * step), true
}

// Money is an amount in a currency.
type Money struct {
	Amount   Amount
	Currency string
}

// Units is n whole units of a currency (n euros).
func Units(n int64) Amount { return Amount(n * unit) }
