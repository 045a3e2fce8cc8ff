package seating

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func people(n int) []Person {
	ps := make([]Person, n)
	for i := range ps {
		ps[i] = Person{ID: 100 + i}
	}
	return ps
}

func key(a, b int) [2]int {
	return [2]int{min(a, b), max(a, b)}
}

// check verifies the structure of a plan against its input and recomputes its
// figures; it returns how many rounds each pair sits together.
func check(t *testing.T, in Input, p *Plan) map[[2]int]int {
	t.Helper()
	n := len(in.People)
	if len(p.Rounds) != in.Rounds {
		t.Fatalf("got %d rounds, want %d", len(p.Rounds), in.Rounds)
	}
	together := map[[2]int]int{}
	for r, round := range p.Rounds {
		seen := map[int]bool{}
		for _, tbl := range round {
			if len(tbl) > in.TableSize {
				t.Errorf("round %d: table of %d > %d", r, len(tbl), in.TableSize)
			}
			if !slices.IsSorted(tbl) {
				t.Errorf("round %d: table %v not sorted", r, tbl)
			}
			for a, x := range tbl {
				if seen[x] {
					t.Errorf("round %d: person %d seated twice", r, x)
				}
				seen[x] = true
				for _, y := range tbl[a+1:] {
					together[key(x, y)]++
				}
			}
		}
		if len(seen) != n {
			t.Errorf("round %d: %d people seated, want %d", r, len(seen), n)
		}
	}
	newPairs := 0
	for k := range together {
		if !in.Known[k] {
			newPairs++
		}
	}
	if p.SeatedPairs != len(together) || p.NewPairs != newPairs {
		t.Errorf("SeatedPairs %d NewPairs %d, recomputed %d %d", p.SeatedPairs, p.NewPairs, len(together), newPairs)
	}
	if p.NewPairs > p.UpperBound {
		t.Errorf("NewPairs %d > UpperBound %d", p.NewPairs, p.UpperBound)
	}
	return together
}

func TestSocialGolfer16(t *testing.T) {
	in := Input{People: people(16), TableSize: 4, Rounds: 4, Seed: 1}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	together := check(t, in, p)
	if p.UpperBound != 96 {
		t.Errorf("UpperBound = %d, want 96", p.UpperBound)
	}
	if p.NewPairs < 90 {
		t.Errorf("NewPairs = %d, want >= 90", p.NewPairs)
	}
	repeats := 0
	for k, c := range together {
		if c > 2 {
			t.Errorf("pair %v together %d times", k, c)
		}
		repeats += c - 1
	}
	// 96 seats-pairs in all: each repeat loses exactly one new pair.
	if repeats != 96-p.NewPairs {
		t.Errorf("repeats %d, want %d", repeats, 96-p.NewPairs)
	}
	if p.Violations != 0 {
		t.Errorf("Violations = %d", p.Violations)
	}
	if p.RandomBaseline < 60 || p.RandomBaseline > 80 { // expectation 70.8
		t.Errorf("RandomBaseline = %v", p.RandomBaseline)
	}
	t.Logf("NewPairs %d / %d, baseline %.1f", p.NewPairs, p.UpperBound, p.RandomBaseline)
	for seed := range uint64(20) {
		in.Seed = seed
		p, err := Make(in)
		if err != nil {
			t.Fatal(err)
		}
		if p.NewPairs < 90 {
			t.Errorf("seed %d: NewPairs = %d, want >= 90", seed, p.NewPairs)
		}
	}
}

func TestKeepApartAndTogether(t *testing.T) {
	in := Input{
		People:       people(20),
		TableSize:    5,
		Rounds:       5,
		KeepApart:    [][]int{{100, 101}, {110, 111, 112}},
		KeepTogether: [][]int{{103, 104, 105}},
		Seed:         7,
	}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	if p.Violations != 0 {
		t.Errorf("Violations = %d", p.Violations)
	}
	for r, round := range p.Rounds {
		for _, tbl := range round {
			apart := 0
			for _, x := range tbl {
				if x >= 110 && x <= 112 {
					apart++
				}
			}
			if apart > 1 || slices.Contains(tbl, 100) && slices.Contains(tbl, 101) {
				t.Errorf("round %d: keep-apart people together at %v", r, tbl)
			}
			k := 0
			for _, x := range []int{103, 104, 105} {
				if slices.Contains(tbl, x) {
					k++
				}
			}
			if k != 0 && k != 3 {
				t.Errorf("round %d: keep-together trio split at %v", r, tbl)
			}
		}
	}
}

func TestCommunityCap(t *testing.T) {
	ps := people(16)
	for i := range ps {
		ps[i].Communities = []int{i / 4}
	}
	in := Input{People: ps, TableSize: 4, Rounds: 4, MaxPerCommunityPerTable: 1, Seed: 3}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	if p.Violations != 0 {
		t.Errorf("Violations = %d", p.Violations)
	}
	for r, round := range p.Rounds {
		for _, tbl := range round {
			seen := map[int]bool{}
			for _, x := range tbl {
				seen[(x-100)/4] = true
			}
			if len(seen) != 4 {
				t.Errorf("round %d: table %v does not have one of each community", r, tbl)
			}
		}
	}
	// Pairs within a community never sit together: at most 96 new pairs of
	// the 120-24 allowed; the search should still find most of them.
	if p.NewPairs < 80 {
		t.Errorf("NewPairs = %d", p.NewPairs)
	}
	t.Logf("NewPairs %d", p.NewPairs)
}

func TestImpossibleConstraint(t *testing.T) {
	in := Input{
		People:       people(12),
		TableSize:    4,
		Rounds:       2,
		KeepTogether: [][]int{{100, 101, 102, 103, 104}},
		Seed:         1,
	}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	if p.Violations != 2 { // the group is split in each round
		t.Errorf("Violations = %d, want 2", p.Violations)
	}
	// Also: a keep-apart pair who must be kept together.
	in = Input{
		People:       people(8),
		TableSize:    4,
		Rounds:       3,
		KeepTogether: [][]int{{100, 101}},
		KeepApart:    [][]int{{100, 101}},
	}
	p, err = Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	if p.Violations != 3 {
		t.Errorf("Violations = %d, want 3", p.Violations)
	}
}

func TestKnownAvoided(t *testing.T) {
	// A clique of 6 who all know each other among 24 people, tables of 6:
	// they should be spread out over the tables, one per table at most 2.
	in := Input{People: people(24), TableSize: 6, Rounds: 3, Known: map[[2]int]bool{}, Seed: 5}
	for a := 100; a < 106; a++ {
		for b := a + 1; b < 106; b++ {
			in.Known[key(a, b)] = true
		}
	}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	// 6 in 4 tables: at best two tables hold 2 of the clique (2 known pairs
	// a round), none holds more.
	for r, round := range p.Rounds {
		knownPairs := 0
		for _, tbl := range round {
			k := 0
			for _, x := range tbl {
				if x < 106 {
					k++
				}
			}
			if k > 2 {
				t.Errorf("round %d: table %v holds %d of the clique", r, tbl, k)
			}
			knownPairs += k * (k - 1) / 2
		}
		if knownPairs != 2 {
			t.Errorf("round %d: %d known pairs seated together, want 2", r, knownPairs)
		}
	}
	if p.UpperBound != 180 { // min(3 rounds × 4 tables × 15, 276 - 15)
		t.Errorf("UpperBound = %d, want 180", p.UpperBound)
	}
}

func TestKnownDense(t *testing.T) {
	// Half the people (a clique of 12 among 24) know each other; tables of 4:
	// each table should hold 2 of them, not more.
	in := Input{People: people(24), TableSize: 4, Rounds: 2, Known: map[[2]int]bool{}, Seed: 9}
	for a := 100; a < 112; a++ {
		for b := a + 1; b < 112; b++ {
			in.Known[key(b, a)] = true // reversed keys are accepted too
			in.Known[key(a, b)] = true
		}
	}
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, p)
	for r, round := range p.Rounds {
		for _, tbl := range round {
			k := 0
			for _, x := range tbl {
				if x < 112 {
					k++
				}
			}
			if k != 2 {
				t.Errorf("round %d: table %v holds %d of the clique", r, tbl, k)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	in := randomInput(120, 8, 3, 0.05, 11)
	in.KeepApart = [][]int{{0, 1, 2}}
	in.KeepTogether = [][]int{{3, 4}}
	in.MaxPerCommunityPerTable = 2
	a, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("same input gave different plans")
	}
	check(t, in, a)
	in.Seed++
	c, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Rounds, c.Rounds) {
		t.Error("another seed gave the same plan")
	}
}

func TestValidate(t *testing.T) {
	ok := func() Input { return Input{People: people(6), TableSize: 3, Rounds: 2} }
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"table size 1", func(in *Input) { in.TableSize = 1 }, "table_size"},
		{"rounds 0", func(in *Input) { in.Rounds = 0 }, "rounds"},
		{"rounds 21", func(in *Input) { in.Rounds = 21 }, "rounds"},
		{"negative cap", func(in *Input) { in.MaxPerCommunityPerTable = -1 }, "max_per_community_per_table"},
		{"person twice", func(in *Input) { in.People[3].ID = in.People[0].ID }, "people"},
		{"too many", func(in *Input) { in.People = people(MaxPeople + 1) }, "people"},
		{"apart unknown", func(in *Input) { in.KeepApart = [][]int{{100, 999}} }, "keep_apart"},
		{"apart twice", func(in *Input) { in.KeepApart = [][]int{{100, 101, 100}} }, "keep_apart"},
		{"together unknown", func(in *Input) { in.KeepTogether = [][]int{{7}} }, "keep_together"},
		{"together twice", func(in *Input) { in.KeepTogether = [][]int{{101, 101}} }, "keep_together"},
	}
	for _, c := range cases {
		in := ok()
		c.edit(&in)
		err := Validate(in)
		var e *Error
		if !errors.As(err, &e) || e.Field != c.field || e.Message == "" {
			t.Errorf("%s: got %v, want field %s", c.name, err, c.field)
			continue
		}
		if _, err := Make(in); err == nil {
			t.Errorf("%s: Make accepted the input", c.name)
		}
	}
	if err := Validate(ok()); err != nil {
		t.Errorf("valid input: %v", err)
	}
}

func TestTableSizes(t *testing.T) {
	for _, c := range []struct {
		n, size int
		want    []int
	}{
		{10, 4, []int{4, 3, 3}},
		{16, 4, []int{4, 4, 4, 4}},
		{17, 4, []int{4, 4, 3, 3, 3}},
		{3, 8, []int{3}},
		{1, 2, []int{1}},
		{0, 4, []int{}},
	} {
		in := Input{People: people(c.n), TableSize: c.size, Rounds: 2}
		p, err := Make(in)
		if err != nil {
			t.Fatal(err)
		}
		check(t, in, p)
		for r, round := range p.Rounds {
			got := []int{}
			for _, tbl := range round {
				got = append(got, len(tbl))
			}
			slices.SortFunc(got, func(a, b int) int { return b - a })
			if !slices.Equal(got, c.want) {
				t.Errorf("n=%d size=%d round %d: table sizes %v, want %v", c.n, c.size, r, got, c.want)
			}
		}
	}
}

func TestNotWorseThanRandom(t *testing.T) {
	for seed := range uint64(6) {
		n := 20 + int(seed)*37
		in := randomInput(n, 3+int(seed), 1+int(seed)%4, 0.1, seed)
		p, err := Make(in)
		if err != nil {
			t.Fatal(err)
		}
		check(t, in, p)
		if float64(p.NewPairs) < p.RandomBaseline {
			t.Errorf("n=%d: NewPairs %d < baseline %.1f", n, p.NewPairs, p.RandomBaseline)
		}
	}
}

func TestLarge(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	in := randomInput(500, 8, 4, 0.02, 1)
	in.MaxPerCommunityPerTable = 2
	start := time.Now()
	p, err := Make(in)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	check(t, in, p)
	if p.Violations != 0 {
		t.Errorf("Violations = %d", p.Violations)
	}
	if float64(p.NewPairs) < 0.95*float64(p.SeatedPairs) {
		t.Errorf("NewPairs %d / SeatedPairs %d < 95%%", p.NewPairs, p.SeatedPairs)
	}
	t.Logf("500 people: %v, new %d / seated %d / bound %d, baseline %.1f", took, p.NewPairs, p.SeatedPairs, p.UpperBound, p.RandomBaseline)
}

// randomInput makes n people (IDs 0..n-1) in n/12+1 communities with a
// random known-pair density.
func randomInput(n, tableSize, rounds int, density float64, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 42))
	comms := n/12 + 1
	in := Input{TableSize: tableSize, Rounds: rounds, Known: map[[2]int]bool{}, Seed: seed}
	for i := range n {
		in.People = append(in.People, Person{ID: i, Communities: []int{rng.IntN(comms)}})
	}
	for a := range n {
		for b := a + 1; b < n; b++ {
			if rng.Float64() < density {
				in.Known[[2]int{a, b}] = true
			}
		}
	}
	return in
}

func BenchmarkSeating500(b *testing.B) {
	in := randomInput(500, 8, 4, 0.02, 1)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range in.People {
		in.People[i].Communities = []int{rng.IntN(40)}
	}
	var p *Plan
	for b.Loop() {
		var err error
		p, err = Make(in)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.NewPairs)/float64(p.SeatedPairs), "new/seated")
	b.ReportMetric(float64(p.NewPairs), "newpairs")
	b.ReportMetric(p.RandomBaseline, "baseline")
	b.ReportMetric(float64(p.NewPairs)/p.RandomBaseline, "x-baseline")
	b.ReportMetric(float64(p.UpperBound), "bound")
}

// TestSearchBookkeeping checks that the counts the local search keeps up to
// date match a recount, with every kind of constraint.
func TestSearchBookkeeping(t *testing.T) {
	for seed := range uint64(4) {
		in := randomInput(60, 5, 4, 0.15, seed)
		in.MaxPerCommunityPerTable = 1
		in.KeepApart = [][]int{{0, 1, 2}, {10, 11}}
		in.KeepTogether = [][]int{{3, 4}, {4, 5}, {20, 21, 22, 23, 24, 25}}
		if err := Validate(in); err != nil {
			t.Fatal(err)
		}
		s := newSolver(in)
		for r := range s.R {
			s.greedyRound(r)
		}
		s.viol = s.totalViolations()
		s.newPairs = s.countNew()
		s.localSearch()
		if got := s.countNew(); got != s.newPairs {
			t.Errorf("seed %d: new pairs tracked %d, recounted %d", seed, s.newPairs, got)
		}
		if got := s.totalViolations(); got != s.viol {
			t.Errorf("seed %d: violations tracked %d, recounted %d", seed, s.viol, got)
		}
		pairs := slices.Clone(s.pair)
		s.restore(s.save(nil))
		if !slices.Equal(pairs, s.pair) {
			t.Errorf("seed %d: save and restore changed the pair counts", seed)
		}
		for r := range s.R {
			for i := range int32(s.n) {
				if s.tables[r][s.tableOf[r][i]][s.posOf[r][i]] != i {
					t.Fatalf("seed %d: round %d: person %d misplaced", seed, r, i)
				}
			}
		}
		p := s.plan()
		check(t, in, p)
		// The group of 6 cannot sit at a table of 5: one split a round.
		if p.Violations < s.R {
			t.Errorf("seed %d: Violations = %d, want >= %d", seed, p.Violations, s.R)
		}
	}
}

// BenchmarkSeating500Constrained adds a community cap of 1, a keep-apart
// group and keep-together groups to BenchmarkSeating500.
func BenchmarkSeating500Constrained(b *testing.B) {
	in := randomInput(500, 8, 4, 0.02, 1)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range in.People {
		in.People[i].Communities = []int{rng.IntN(40)}
	}
	in.MaxPerCommunityPerTable = 1
	in.KeepApart = [][]int{{0, 1, 2, 3, 4, 5, 6, 7}}
	in.KeepTogether = [][]int{{10, 11, 12}, {20, 21}}
	var p *Plan
	for b.Loop() {
		var err error
		p, err = Make(in)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.NewPairs)/float64(p.SeatedPairs), "new/seated")
	b.ReportMetric(float64(p.NewPairs), "newpairs")
	b.ReportMetric(p.RandomBaseline, "baseline")
	b.ReportMetric(float64(p.UpperBound), "bound")
	b.ReportMetric(float64(p.Violations), "violations")
}
