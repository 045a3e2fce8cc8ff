package money

import "testing"

func TestParseAndString(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{in: "1234.50", want: "1234.50"},
		{in: "0.125", want: "0.125"},
		{in: "-3", want: "-3.00"},
		{in: "+7.1", want: "7.10"},
		{in: ".5", want: "0.50"},
		{in: "1.00001", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "", wantErr: true},
		{in: "1.", wantErr: true},
		{in: "12,5", wantErr: true},
		{in: "1000000000000000000", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			a, err := Parse(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want an error", tc.in, a)
				}
				return
			}
			if err != nil || a.String() != tc.want {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tc.in, a, err, tc.want)
			}
		})
	}
}

func TestSumsAreExact(t *testing.T) {
	// 0.1 + 0.2 is 0.30000000000000004 in floats; here it is 0.30.
	a, _ := Parse("0.1")
	b, _ := Parse("0.2")
	if got := (a + b).String(); got != "0.30" {
		t.Fatalf("0.1 + 0.2 = %s", got)
	}
	f, err := FromFloat(12.34)
	if err != nil || f.String() != "12.34" {
		t.Fatalf("FromFloat(12.34) = %v, %v", f, err)
	}
}

func TestCurrencyRules(t *testing.T) {
	a, _ := Parse("12.345")
	if err := a.FitsCurrency("EUR"); err == nil {
		t.Fatal("12.345 EUR accepted")
	}
	if err := a.FitsCurrency("KWD"); err != nil {
		t.Fatalf("12.345 KWD refused: %v", err)
	}
	if got := a.Format("JPY"); got != "12" {
		t.Fatalf("Format JPY = %s", got)
	}
	if got := a.Format("EUR"); got != "12.35" {
		t.Fatalf("Format EUR = %s", got)
	}
	total, _ := Parse("100")
	if per, ok := total.Div(3, "EUR"); !ok || per.String() != "33.33" {
		t.Fatalf("100 / 3 = %v", per)
	}
	neg, _ := Parse("-100")
	if per, _ := neg.Div(6, "EUR"); per.String() != "-16.67" {
		t.Fatalf("-100 / 6 = %v", per)
	}
	if _, ok := total.Div(0, "EUR"); ok {
		t.Fatal("division by zero accepted")
	}
}
