// Package seating builds seating plans for networking dinners and rounds: it
// assigns the participants of a meeting to tables for each round so that as
// many pairs as possible sit together who had no relationship before and did
// not already sit together in an earlier round, under constraints (a cap per
// community per table, groups kept apart, groups kept together).
//
// The plan is built greedily round by round (most constrained people first,
// each at the table where it breaks the fewest constraints and then sits with
// the fewest people it knows or already met, which makes the most new pairs
// since every seat gets filled), then improved by a tabu local search that
// swaps people between tables in any round. The work is bounded (500 people
// at tables of 8 for 4 rounds take about 10 ms), and the result depends only
// on the input, including its Seed.
package seating

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Limits on the input.
const (
	MaxPeople = 5000
	MaxRounds = 20
)

const (
	baselinePlans = 20
	// baselineSeed seeds the random plans of the baseline, so that the
	// baseline of an input does not depend on its Seed.
	baselineSeed = 0x5ea7_1e55
	// baselineWork caps the pairs the baseline simulates (summed over its
	// plans); past it, the baseline is the exact expectation instead.
	baselineWork = 20_000_000
	// penalty is the cost of one constraint violation, in new pairs; it is
	// larger than any number of new pairs a single swap can change.
	penalty = 1 << 24
	// searchBudget bounds the local search, in pair look-ups.
	searchBudget = 30_000_000
	// idlePasses ends the local search after this many passes over all
	// seats without an improvement.
	idlePasses = 200
	// worseOdds: the search takes one in worseOdds of the swaps that lose
	// at most maxLoss new pairs, when no swap does better.
	worseOdds = 4
	maxLoss   = 2
	// maxKnownLists: with more known pairs, the construction tests every
	// pair instead of listing whom each person knows.
	maxKnownLists = 2_000_000
	// tabuTenure is how many moves a swapped seat stays fixed (unless a move
	// of it improves the plan).
	tabuTenure = 7
)

// Person is a participant.
type Person struct {
	ID          int
	Communities []int // community IDs; may be empty
}

// Input describes a seating problem.
type Input struct {
	People []Person
	// TableSize is the most people a table holds (at least 2). The plan uses
	// ceil(n/TableSize) tables with sizes as equal as possible.
	TableSize int
	// Rounds is the number of rounds (1 to MaxRounds).
	Rounds int
	// MaxPerCommunityPerTable caps how many members of one community sit at
	// a table (0: no cap). A person with several communities counts in each.
	MaxPerCommunityPerTable int
	// KeepApart lists groups no two of whom may share a table in any round.
	KeepApart [][]int
	// KeepTogether lists groups who must share a table in every round.
	// Groups that share a person are seated as one group.
	KeepTogether [][]int
	// Known holds the pairs (min ID, max ID) who already know each other.
	// Pairs given as (max, min) are accepted too.
	Known map[[2]int]bool
	// Seed makes the plan reproducible: the same input gives the same plan.
	Seed uint64
}

// Plan is a seating plan and its figures.
type Plan struct {
	// Rounds maps round -> table -> person IDs (each table sorted).
	Rounds [][][]int
	// NewPairs counts the distinct pairs seated together in some round who
	// are not Known (counted once even if seated together twice).
	NewPairs int
	// SeatedPairs counts the distinct pairs seated together.
	SeatedPairs int
	// UpperBound is the most new pairs possible: the smaller of the pairs
	// seated over all rounds given the table sizes and the pairs of people
	// who are not Known.
	UpperBound int
	// RandomBaseline is the mean NewPairs of 20 random plans (fixed seed)
	// with the same table sizes, ignoring constraints. When those plans
	// would seat more than 20 million pairs in all, it is the exact
	// expectation of NewPairs over random plans instead.
	RandomBaseline float64
	// Violations counts the constraint violations left, per round: each seat
	// over a community cap, each keep-apart pair at one table, each
	// keep-together group split. It is 0 when the constraints can be met
	// (and the search finds it).
	Violations int
}

// Error reports invalid input.
type Error struct {
	// Field is "table_size", "rounds", "max_per_community_per_table",
	// "keep_apart", "keep_together" or "people".
	Field   string
	Message string
}

func (e *Error) Error() string { return "seating: " + e.Field + ": " + e.Message }

// Validate reports the first problem with in as an *Error, or nil.
func Validate(in Input) error {
	if in.TableSize < 2 {
		return &Error{"table_size", fmt.Sprintf("table size must be at least 2, got %d", in.TableSize)}
	}
	if in.Rounds < 1 || in.Rounds > MaxRounds {
		return &Error{"rounds", fmt.Sprintf("rounds must be between 1 and %d, got %d", MaxRounds, in.Rounds)}
	}
	if in.MaxPerCommunityPerTable < 0 {
		return &Error{"max_per_community_per_table", fmt.Sprintf("the cap per community per table must be 0 (no cap) or more, got %d", in.MaxPerCommunityPerTable)}
	}
	if len(in.People) > MaxPeople {
		return &Error{"people", fmt.Sprintf("at most %d people can be seated, got %d", MaxPeople, len(in.People))}
	}
	seen := make(map[int]bool, len(in.People))
	for _, p := range in.People {
		if seen[p.ID] {
			return &Error{"people", fmt.Sprintf("person %d is listed twice", p.ID)}
		}
		seen[p.ID] = true
	}
	check := func(field, what string, groups [][]int) error {
		for g, group := range groups {
			in := make(map[int]bool, len(group))
			for _, id := range group {
				if !seen[id] {
					return &Error{field, fmt.Sprintf("%s group %d names person %d, who is not among the people", what, g+1, id)}
				}
				if in[id] {
					return &Error{field, fmt.Sprintf("%s group %d lists person %d twice", what, g+1, id)}
				}
				in[id] = true
			}
		}
		return nil
	}
	if err := check("keep_apart", "keep-apart", in.KeepApart); err != nil {
		return err
	}
	return check("keep_together", "keep-together", in.KeepTogether)
}

// Make builds a seating plan for in. It fails only on invalid input (see
// Validate); constraints that cannot be met leave Violations > 0.
func Make(in Input) (*Plan, error) {
	if err := Validate(in); err != nil {
		return nil, err
	}
	s := newSolver(in)
	for r := 0; r < s.R; r++ {
		s.greedyRound(r)
	}
	s.viol = s.totalViolations()
	s.newPairs = s.countNew()
	s.localSearch()
	return s.plan(), nil
}

// solver holds the state of one plan under construction. People are indexed
// 0..n-1 in input order; pairs are indexed in a triangular array.
type solver struct {
	n, R, T  int
	ids      []int
	sizes    []int // target size of each table
	rowStart []int // idx(i, j) = rowStart[i] + j for i < j

	// pair holds, per pair, the known bit (knownBit) and, in the low bits,
	// how many rounds the pair sits together.
	pair []uint8

	knownOf  [][]int32 // known people of each person (nil when too many)
	apart    [][]int32 // keep-apart neighbours of each person
	groups   [][]int32 // keep-together groups (as given, deduplicated)
	groupsOf [][]int32 // keep-together groups of each person
	clusters [][]int32 // people seated as one unit (overlapping groups merged)

	comm     [][]int32 // capped communities of each person (indexes)
	C        int       // number of capped communities
	capLimit int32     // 0 = no cap
	cc       counter   // members per (round, table, community)

	tableOf [][]int32   // round -> person -> table
	posOf   [][]int32   // round -> person -> index in its table
	tables  [][][]int32 // round -> table -> people

	known    int // known pairs among the people
	newPairs int // current NewPairs
	viol     int // current violations

	hasConstraints bool
	rng            *rand.Rand
}

const (
	knownBit  = 0x80
	countMask = 0x7f
)

func newSolver(in Input) *solver {
	n := len(in.People)
	s := &solver{
		n:   n,
		R:   in.Rounds,
		ids: make([]int, n),
		rng: rand.New(rand.NewPCG(in.Seed, 0x7ab1e5)),
	}
	index := make(map[int]int32, n)
	for i, p := range in.People {
		s.ids[i] = p.ID
		index[p.ID] = int32(i)
	}
	if n > 0 {
		s.T = (n + in.TableSize - 1) / in.TableSize
	}
	s.sizes = make([]int, s.T)
	for t := range s.sizes {
		s.sizes[t] = n / s.T
		if t < n%s.T {
			s.sizes[t]++
		}
	}
	s.pair = make([]uint8, n*(n-1)/2+1)
	s.rowStart = make([]int, n)
	for i := range n {
		s.rowStart[i] = i*(2*n-i-1)/2 - i - 1
	}
	for k, v := range in.Known {
		i, okI := index[k[0]]
		j, okJ := index[k[1]]
		if !v || !okI || !okJ || i == j {
			continue
		}
		x := s.idx(i, j)
		if s.pair[x]&knownBit == 0 {
			s.pair[x] |= knownBit
			s.known++
		}
	}

	if s.known <= maxKnownLists {
		s.knownOf = make([][]int32, n)
		for i := range int32(n) {
			for j := i + 1; j < int32(n); j++ {
				if s.pair[s.idx(i, j)]&knownBit != 0 {
					s.knownOf[i] = append(s.knownOf[i], j)
					s.knownOf[j] = append(s.knownOf[j], i)
				}
			}
		}
	}

	// Keep apart: deduplicated neighbour lists.
	s.apart = make([][]int32, n)
	for _, g := range in.KeepApart {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				i, j := index[g[a]], index[g[b]]
				if !slices.Contains(s.apart[i], j) {
					s.apart[i] = append(s.apart[i], j)
					s.apart[j] = append(s.apart[j], i)
					s.hasConstraints = true
				}
			}
		}
	}

	// Keep together: groups, and clusters of overlapping groups.
	s.groupsOf = make([][]int32, n)
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, g := range in.KeepTogether {
		if len(g) < 2 {
			continue
		}
		members := make([]int32, len(g))
		for k, id := range g {
			members[k] = index[id]
		}
		gi := int32(len(s.groups))
		s.groups = append(s.groups, members)
		for _, m := range members {
			s.groupsOf[m] = append(s.groupsOf[m], gi)
			parent[find(m)] = find(members[0])
		}
		s.hasConstraints = true
	}
	byRoot := make(map[int32][]int32)
	for i := range n {
		if root := find(int32(i)); root != int32(i) || len(s.groupsOf[i]) > 0 {
			byRoot[root] = append(byRoot[root], int32(i))
		}
	}
	for i := range n {
		root := find(int32(i))
		switch {
		case byRoot[root] == nil:
			s.clusters = append(s.clusters, []int32{int32(i)})
		case root == int32(i):
			s.clusters = append(s.clusters, byRoot[root])
		}
	}

	// Community caps: only communities with more members than the cap can
	// be over it.
	s.comm = make([][]int32, n)
	if in.MaxPerCommunityPerTable > 0 {
		s.capLimit = int32(in.MaxPerCommunityPerTable)
		size := map[int]int{}
		for _, p := range in.People {
			for k, c := range p.Communities {
				if !slices.Contains(p.Communities[:k], c) {
					size[c]++
				}
			}
		}
		cindex := map[int]int32{}
		for i, p := range in.People {
			for _, c := range p.Communities {
				if size[c] <= in.MaxPerCommunityPerTable {
					continue
				}
				ci, ok := cindex[c]
				if !ok {
					ci = int32(len(cindex))
					cindex[c] = ci
				}
				if !slices.Contains(s.comm[i], ci) {
					s.comm[i] = append(s.comm[i], ci)
				}
			}
		}
		s.C = len(cindex)
		if s.C > 0 {
			s.hasConstraints = true
		}
	}
	s.cc = newCounter(s.R * s.T * s.C)

	s.tableOf = make([][]int32, s.R)
	s.posOf = make([][]int32, s.R)
	s.tables = make([][][]int32, s.R)
	for r := range s.R {
		s.tableOf[r] = make([]int32, n)
		s.posOf[r] = make([]int32, n)
		s.tables[r] = make([][]int32, s.T)
		for t := range s.T {
			s.tables[r][t] = make([]int32, 0, s.sizes[t])
		}
	}
	return s
}

// idx is the index of the pair {i, j} (i != j) in s.pair.
func (s *solver) idx(i, j int32) int {
	if i > j {
		i, j = j, i
	}
	return s.rowStart[i] + int(j)
}

// counter counts members per (round, table, community): in a flat slice when
// small enough, else in a map.
type counter struct {
	flat []int32
	m    map[int]int32
}

func newCounter(size int) counter {
	if size <= 1<<22 {
		return counter{flat: make([]int32, size)}
	}
	return counter{m: map[int]int32{}}
}

func (c *counter) get(k int) int32 {
	if c.m != nil {
		return c.m[k]
	}
	return c.flat[k]
}

func (c *counter) add(k int, d int32) {
	if c.m != nil {
		if v := c.m[k] + d; v != 0 {
			c.m[k] = v
		} else {
			delete(c.m, k)
		}
		return
	}
	c.flat[k] += d
}

func (s *solver) ccKey(r, t int, c int32) int { return (r*s.T+t)*s.C + int(c) }

// excess is the seats over the community cap for a count.
func (s *solver) excess(count int32) int {
	if count > s.capLimit {
		return int(count - s.capLimit)
	}
	return 0
}

// seat puts person i at table t in round r (greedy construction).
func (s *solver) seat(r int, i int32, t int) {
	s.tableOf[r][i] = int32(t)
	s.posOf[r][i] = int32(len(s.tables[r][t]))
	s.tables[r][t] = append(s.tables[r][t], i)
	for _, c := range s.comm[i] {
		s.cc.add(s.ccKey(r, t, c), 1)
	}
}

// greedyRound seats round r: units (keep-together clusters or single people),
// most constrained first, each at the table that breaks the fewest
// constraints and then adds the most new pairs.
func (s *solver) greedyRound(r int) {
	tof := s.tableOf[r]
	for i := range tof {
		tof[i] = -1
	}
	free := slices.Clone(s.sizes)
	units := slices.Clone(s.clusters)
	s.rng.Shuffle(len(units), func(a, b int) { units[a], units[b] = units[b], units[a] })
	weight := func(u []int32) int {
		w := len(u) * 1_000_000
		for _, i := range u {
			w += 100*len(s.apart[i]) + len(s.comm[i])
		}
		return w
	}
	sort.SliceStable(units, func(a, b int) bool { return weight(units[a]) > weight(units[b]) })

	placed := make([]int32, 0, s.n)
	var mark []uint32 // mark[q] == stamp: q counted for the current person
	stamp := uint32(0)
	if s.knownOf != nil {
		mark = make([]uint32, s.n)
	}
	waste := make([]int, s.T)
	bad := make([]int, s.T)
	mates := make([]int, s.T)
	type commK struct{ c, k int32 }
	var commCount []commK
	place := func(members []int32, cluster []int32) {
		k := len(members)
		clear(waste)
		clear(bad)
		clear(mates)
		for _, m := range members {
			if mark == nil {
				for _, q := range placed {
					if s.pair[s.idx(m, q)] != 0 {
						waste[tof[q]]++
					}
				}
				continue
			}
			// The people m knows or met in an earlier round, once each.
			stamp++
			count := func(q int32) {
				if q != m && tof[q] >= 0 && mark[q] != stamp {
					mark[q] = stamp
					waste[tof[q]]++
				}
			}
			for _, q := range s.knownOf[m] {
				count(q)
			}
			for e := range r {
				for _, q := range s.tables[e][s.tableOf[e][m]] {
					count(q)
				}
			}
		}
		for _, m := range members {
			for _, v := range s.apart[m] {
				if tof[v] >= 0 {
					bad[tof[v]]++
				}
			}
		}
		for _, m := range cluster {
			if tof[m] >= 0 {
				mates[tof[m]]++
			}
		}
		commCount = commCount[:0]
		for _, m := range members {
		next:
			for _, c := range s.comm[m] {
				for x := range commCount {
					if commCount[x].c == c {
						commCount[x].k++
						continue next
					}
				}
				commCount = append(commCount, commK{c, 1})
			}
		}
		// Scan the tables from a random one; ties go to the first found.
		best, t := -1, s.rng.IntN(s.T)
		for range s.T {
			if t++; t == s.T {
				t = 0
			}
			if free[t] < k {
				continue
			}
			for _, ck := range commCount {
				now := s.cc.get(s.ccKey(r, t, ck.c))
				bad[t] += s.excess(now+ck.k) - s.excess(now)
			}
			if best < 0 || compareTables(bad[t], bad[best], mates[t], mates[best], waste[t], waste[best], free[t], free[best]) > 0 {
				best = t
			}
		}
		for _, m := range members {
			s.seat(r, m, best)
			placed = append(placed, m)
		}
		free[best] -= k
	}
	for _, u := range units {
		fits := false
		for t := range s.T {
			if free[t] >= len(u) {
				fits = true
				break
			}
		}
		if fits {
			place(u, nil)
			continue
		}
		for _, m := range u { // too large for any free table: split
			place([]int32{m}, u)
		}
	}
	for _, tbl := range s.tables[r] {
		for a := range tbl {
			for b := a + 1; b < len(tbl); b++ {
				s.pair[s.idx(tbl[a], tbl[b])]++
			}
		}
	}
}

// compareTables orders candidate tables: fewer violations, then more group
// mates, then fewer wasted pairs (people already known or met), then more
// free seats. It returns > 0 when the first table is better, < 0 when worse,
// 0 on a tie. (Every seat gets filled, so the fewest wasted pairs make the
// most new pairs.)
func compareTables(bad1, bad2, mates1, mates2, waste1, waste2, free1, free2 int) int {
	switch {
	case bad1 != bad2:
		return bad2 - bad1
	case mates1 != mates2:
		return mates1 - mates2
	case waste1 != waste2:
		return waste2 - waste1
	}
	return free1 - free2
}

// split reports whether group g is split in round r, with person a at table ta
// and person b at table tb.
func (s *solver) split(r int, g int32, a, b int32, ta, tb int32) bool {
	tof := s.tableOf[r]
	first := int32(-1)
	for _, m := range s.groups[g] {
		t := tof[m]
		switch m {
		case a:
			t = ta
		case b:
			t = tb
		}
		if first < 0 {
			first = t
		} else if t != first {
			return true
		}
	}
	return false
}

// violDelta is the change in violations if a (at table A) and b (at table B)
// swap in round r.
func (s *solver) violDelta(r int, a, b int32, A, B int32) int {
	tof := s.tableOf[r]
	d := 0
	for _, v := range s.apart[a] {
		if v == b {
			continue
		}
		switch tof[v] {
		case A:
			d--
		case B:
			d++
		}
	}
	for _, v := range s.apart[b] {
		if v == a {
			continue
		}
		switch tof[v] {
		case B:
			d--
		case A:
			d++
		}
	}
	for _, g := range s.groupsOf[a] {
		d += b2i(s.split(r, g, a, b, B, A)) - b2i(s.split(r, g, -1, -1, 0, 0))
	}
	for _, g := range s.groupsOf[b] {
		if slices.Contains(s.groupsOf[a], g) {
			continue
		}
		d += b2i(s.split(r, g, a, b, B, A)) - b2i(s.split(r, g, -1, -1, 0, 0))
	}
	for _, c := range s.comm[a] {
		if slices.Contains(s.comm[b], c) {
			continue
		}
		na, nb := s.cc.get(s.ccKey(r, int(A), c)), s.cc.get(s.ccKey(r, int(B), c))
		d += s.excess(na-1) - s.excess(na) + s.excess(nb+1) - s.excess(nb)
	}
	for _, c := range s.comm[b] {
		if slices.Contains(s.comm[a], c) {
			continue
		}
		na, nb := s.cc.get(s.ccKey(r, int(A), c)), s.cc.get(s.ccKey(r, int(B), c))
		d += s.excess(nb-1) - s.excess(nb) + s.excess(na+1) - s.excess(na)
	}
	return d
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// conflicted reports whether person a, in round r, sits with someone known or
// met in another round, or is part of a violation.
func (s *solver) conflicted(r int, a int32) bool {
	t := s.tableOf[r][a]
	for _, q := range s.tables[r][t] {
		if q != a && s.pair[s.idx(a, q)] != 1 {
			return true
		}
	}
	if !s.hasConstraints {
		return false
	}
	for _, v := range s.apart[a] {
		if s.tableOf[r][v] == t {
			return true
		}
	}
	for _, g := range s.groupsOf[a] {
		if s.split(r, g, -1, -1, 0, 0) {
			return true
		}
	}
	for _, c := range s.comm[a] {
		if s.cc.get(s.ccKey(r, int(t), c)) > s.capLimit {
			return true
		}
	}
	return false
}

// localSearch improves the plan by swaps of two people at different tables in
// one round. It repeatedly takes a seat in conflict (next to someone known or
// met in another round, or part of a violation) and makes its best swap by
// new pairs minus penalty × violations: always when that improves the plan,
// when it keeps it level unless the swap is tabu (recently moved seats), and
// now and then when it loses a few new pairs, to leave local optima. Swaps
// that add violations are never made. The best plan found is kept.
func (s *solver) localSearch() {
	if s.T < 2 {
		return
	}
	bound := s.upperBound()
	n := s.n
	type seat struct{ r, a int32 }
	order := make([]seat, 0, s.R*n)
	for r := range s.R {
		for a := range n {
			order = append(order, seat{int32(r), int32(a)})
		}
	}
	tabu := make([]int, s.R*n)
	gainT := make([]int, s.T)
	budget := searchBudget
	obj := func() int { return s.newPairs - penalty*s.viol }
	bestObj, saved := obj(), false
	var snapshot [][][]int32
	iter, idle := 0, 0
	for budget > 0 && idle < idlePasses {
		if s.viol == 0 && s.newPairs >= bound {
			break
		}
		s.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		improved := false
		for _, st := range order {
			if budget <= 0 {
				break
			}
			r, a := int(st.r), st.a
			tof := s.tableOf[r]
			A := tof[a]
			tblA := s.tables[r][A]
			budget -= len(tblA)
			if !s.conflicted(r, a) {
				continue
			}
			iter++
			if tabu[r*n+int(a)] > iter {
				continue
			}
			// Pairs a would lose by leaving A, and gain at each table.
			lossA := 0
			for _, q := range tblA {
				if q != a && s.pair[s.idx(a, q)] == 1 {
					lossA++
				}
			}
			clear(gainT)
			for q := range int32(n) {
				if tof[q] != A && s.pair[s.idx(a, q)] == 0 {
					gainT[tof[q]]++
				}
			}
			budget -= n
			cur := obj()
			best, bestB, ties := math.MinInt, int32(-1), 0
			for B, tblB := range s.tables[r] {
				if int32(B) == A {
					continue
				}
				budget -= len(tblB) * (len(tblA) + len(tblB))
				for _, b := range tblB {
					d := gainT[B] - lossA
					if s.pair[s.idx(a, b)] == 0 {
						d--
					}
					for _, q := range tblB {
						if q != b && s.pair[s.idx(b, q)] == 1 {
							d--
						}
					}
					for _, q := range tblA {
						if q != a && s.pair[s.idx(b, q)] == 0 {
							d++
						}
					}
					if s.hasConstraints {
						d -= penalty * s.violDelta(r, a, b, A, int32(B))
					}
					if tabu[r*n+int(b)] > iter && cur+d <= bestObj {
						continue
					}
					switch {
					case d > best:
						best, bestB, ties = d, b, 1
					case d == best:
						ties++
						if s.rng.IntN(ties) == 0 {
							bestB = b
						}
					}
				}
			}
			if bestB < 0 || best <= -penalty/2 {
				continue
			}
			if best < 0 {
				if best < -maxLoss || s.rng.IntN(worseOdds) != 0 {
					continue
				}
				if cur == bestObj && !saved {
					snapshot = s.save(snapshot)
					saved = true
					budget -= s.R * n
				}
			}
			s.swap(r, a, bestB)
			tabu[r*n+int(a)] = iter + tabuTenure
			tabu[r*n+int(bestB)] = iter + tabuTenure
			if obj() > bestObj {
				bestObj, saved, improved = obj(), false, true
			}
		}
		if improved {
			idle = 0
		} else {
			idle++
		}
	}
	if obj() < bestObj {
		s.restore(snapshot)
	}
}

// save copies the tables of all rounds into buf (reused when not nil).
func (s *solver) save(buf [][][]int32) [][][]int32 {
	if buf == nil {
		buf = make([][][]int32, s.R)
		for r := range buf {
			buf[r] = make([][]int32, s.T)
		}
	}
	for r, round := range s.tables {
		for t, tbl := range round {
			buf[r][t] = append(buf[r][t][:0], tbl...)
		}
	}
	return buf
}

// restore seats everyone as in a copy made by save and recomputes the counts.
func (s *solver) restore(buf [][][]int32) {
	for i := range s.pair {
		s.pair[i] &= knownBit
	}
	if s.cc.m != nil {
		clear(s.cc.m)
	} else {
		clear(s.cc.flat)
	}
	for r, round := range buf {
		for t, tbl := range round {
			s.tables[r][t] = s.tables[r][t][:0]
			for _, i := range tbl {
				s.seat(r, i, t)
			}
			for a := range tbl {
				for b := a + 1; b < len(tbl); b++ {
					s.pair[s.idx(tbl[a], tbl[b])]++
				}
			}
		}
	}
	s.newPairs = s.countNew()
	s.viol = s.totalViolations()
}

// swap exchanges a and b (at different tables) in round r, updating the
// counts, NewPairs and violations.
func (s *solver) swap(r int, a, b int32) {
	tof := s.tableOf[r]
	A, B := tof[a], tof[b]
	if s.hasConstraints {
		s.viol += s.violDelta(r, a, b, A, B)
	}
	tblA, tblB := s.tables[r][A], s.tables[r][B]
	move := func(x int32, from, to []int32, skipFrom, skipTo int32) {
		for _, q := range from {
			if q == x || q == skipFrom {
				continue
			}
			p := &s.pair[s.idx(x, q)]
			*p--
			if *p == 0 {
				s.newPairs--
			}
		}
		for _, q := range to {
			if q == skipTo {
				continue
			}
			p := &s.pair[s.idx(x, q)]
			if *p == 0 {
				s.newPairs++
			}
			*p++
		}
	}
	move(a, tblA, tblB, -1, b)
	move(b, tblB, tblA, -1, a)
	for _, c := range s.comm[a] {
		s.cc.add(s.ccKey(r, int(A), c), -1)
		s.cc.add(s.ccKey(r, int(B), c), 1)
	}
	for _, c := range s.comm[b] {
		s.cc.add(s.ccKey(r, int(B), c), -1)
		s.cc.add(s.ccKey(r, int(A), c), 1)
	}
	pa, pb := s.posOf[r][a], s.posOf[r][b]
	tblA[pa], tblB[pb] = b, a
	s.posOf[r][a], s.posOf[r][b] = pb, pa
	tof[a], tof[b] = B, A
}

// countNew counts the pairs not known who sit together in some round.
func (s *solver) countNew() int {
	k := 0
	for _, p := range s.pair {
		if p != 0 && p&knownBit == 0 {
			k++
		}
	}
	return k
}

// totalViolations counts the violations of the current plan from scratch.
func (s *solver) totalViolations() int {
	v := 0
	for r := range s.R {
		tof := s.tableOf[r]
		for i, nb := range s.apart {
			for _, j := range nb {
				if int32(i) < j && tof[i] == tof[j] {
					v++
				}
			}
		}
		for g := range s.groups {
			if s.split(r, int32(g), -1, -1, 0, 0) {
				v++
			}
		}
		if s.C > 0 {
			for t := range s.T {
				for c := range int32(s.C) {
					v += s.excess(s.cc.get(s.ccKey(r, t, c)))
				}
			}
		}
	}
	return v
}

// pairsPerRound is the pairs seated in one round.
func (s *solver) pairsPerRound() int {
	k := 0
	for _, z := range s.sizes {
		k += z * (z - 1) / 2
	}
	return k
}

func (s *solver) upperBound() int {
	return min(s.R*s.pairsPerRound(), s.n*(s.n-1)/2-s.known)
}

// randomBaseline is the mean NewPairs of random plans with the same table
// sizes, ignoring constraints.
func (s *solver) randomBaseline() float64 {
	n := s.n
	if n < 2 {
		return 0
	}
	perPlan := s.R * s.pairsPerRound()
	if perPlan*baselinePlans > baselineWork {
		p := 0.0
		for _, z := range s.sizes {
			p += float64(z) * float64(z-1)
		}
		p /= float64(n) * float64(n-1)
		return float64(n*(n-1)/2-s.known) * (1 - math.Pow(1-p, float64(s.R)))
	}
	rng := rand.New(rand.NewPCG(baselineSeed, uint64(n)))
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	keys := make([]int, 0, perPlan)
	total := 0
	for range baselinePlans {
		keys = keys[:0]
		for range s.R {
			rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			at := 0
			for _, z := range s.sizes {
				tbl := perm[at : at+z]
				at += z
				for a := range tbl {
					for b := a + 1; b < len(tbl); b++ {
						keys = append(keys, s.idx(tbl[a], tbl[b]))
					}
				}
			}
		}
		slices.Sort(keys)
		for k, x := range keys {
			if (k == 0 || keys[k-1] != x) && s.pair[x]&knownBit == 0 {
				total++
			}
		}
	}
	return float64(total) / baselinePlans
}

func (s *solver) plan() *Plan {
	p := &Plan{
		Rounds:         make([][][]int, s.R),
		UpperBound:     s.upperBound(),
		RandomBaseline: s.randomBaseline(),
		Violations:     s.totalViolations(),
	}
	for r := range s.R {
		p.Rounds[r] = make([][]int, s.T)
		for t, tbl := range s.tables[r] {
			ids := make([]int, len(tbl))
			for k, i := range tbl {
				ids[k] = s.ids[i]
			}
			slices.Sort(ids)
			p.Rounds[r][t] = ids
		}
	}
	for _, x := range s.pair {
		if x&countMask != 0 {
			p.SeatedPairs++
			if x&knownBit == 0 {
				p.NewPairs++
			}
		}
	}
	return p
}
