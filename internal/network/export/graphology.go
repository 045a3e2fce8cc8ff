package export

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/network/analysis"
)

// graphologyOptions are the options of every export: one undirected edge
// per pair, no self-loops.
var graphologyOptions = struct {
	Type           string `json:"type"`
	Multi          bool   `json:"multi"`
	AllowSelfLoops bool   `json:"allowSelfLoops"`
}{"undirected", false, false}

// graphologyNode is a node of graphology's serialization.
type graphologyNode struct {
	Key        string         `json:"key"`
	Attributes nodeAttributes `json:"attributes"`
}

type nodeAttributes struct {
	Name           string   `json:"name"`
	Company        *string  `json:"company,omitempty"`
	Communities    []string `json:"communities"`
	Degree         *int     `json:"degree,omitempty"`
	WeightedDegree *number  `json:"weightedDegree,omitempty"`
	Betweenness    *number  `json:"betweenness,omitempty"`
	Closeness      *number  `json:"closeness,omitempty"`
	Community      *int     `json:"community,omitempty"`
	Attended       bool     `json:"attended"`
}

// graphologyEdge is an edge of graphology's serialization.
type graphologyEdge struct {
	Key        string         `json:"key"`
	Source     string         `json:"source"`
	Target     string         `json:"target"`
	Undirected bool           `json:"undirected"`
	Attributes edgeAttributes `json:"attributes"`
}

type edgeAttributes struct {
	Strength        number `json:"strength"`
	CurrentStrength number `json:"currentStrength"`
	EncounterCount  int    `json:"encounterCount"`
	FirstMetAt      string `json:"firstMetAt"`
	LastMetAt       string `json:"lastMetAt"`
}

// number is a float64 that JSON-encodes NaN and infinities as null.
type number float64

// MarshalJSON implements json.Marshaler.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// WriteGraphology writes n in graphology's serialization format (what
// graph.export() gives and Graph.from / graph.import take): attributes,
// options (undirected, not multi, no self-loops), nodes keyed by person ID
// and edges keyed by relationship ID. It writes one node or edge at a time.
// metrics may be nil: the metric attributes are then left out. A person
// without a company has no company attribute.
func WriteGraphology(w io.Writer, n *network.Network, metrics map[int]analysis.NodeMetrics, attrs map[string]any) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if attrs == nil {
		attrs = map[string]any{}
	}
	var err error
	put := func(s string) {
		if err == nil {
			_, err = bw.WriteString(s)
		}
	}
	encode := func(v any) {
		if err == nil {
			err = enc.Encode(v) // the value and a newline
		}
	}
	put(`{"attributes":`)
	encode(attrs)
	put(`,"options":`)
	encode(graphologyOptions)
	put(`,"nodes":[` + "\n")
	for i, p := range n.People {
		if i > 0 {
			put(",")
		}
		node := graphologyNode{Key: strconv.Itoa(p.ID), Attributes: nodeAttributes{
			Name: p.Name, Company: p.Company, Communities: communityNames(p), Attended: n.Attended[p.ID],
		}}
		if metrics != nil {
			m := metrics[p.ID]
			wd, b, c := number(m.WeightedDegree), number(m.Betweenness), number(m.Closeness)
			node.Attributes.Degree, node.Attributes.Community = &m.Degree, &m.Community
			node.Attributes.WeightedDegree, node.Attributes.Betweenness, node.Attributes.Closeness = &wd, &b, &c
		}
		encode(node)
		if err != nil {
			return err
		}
	}
	put(`],"edges":[` + "\n")
	for i, l := range n.Links {
		if i > 0 {
			put(",")
		}
		encode(graphologyEdge{
			Key: edgeKey(l), Source: strconv.Itoa(l.A), Target: strconv.Itoa(l.B), Undirected: true,
			Attributes: edgeAttributes{
				Strength: number(l.Strength), CurrentStrength: number(l.CurrentStrength), EncounterCount: l.EncounterCount,
				FirstMetAt: timestamp(l.FirstMetAt), LastMetAt: timestamp(l.LastMetAt),
			},
		})
		if err != nil {
			return err
		}
	}
	put("]}\n")
	if err == nil {
		err = bw.Flush()
	}
	return err
}
