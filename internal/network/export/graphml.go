package export

import (
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/network/analysis"
)

// GraphMLNamespace is the namespace of GraphML documents.
const GraphMLNamespace = "http://graphml.graphdrawing.org/xmlns"

// graphMLKey is one declared attribute. Its id is its attr.name: the
// node and edge attributes have distinct names.
type graphMLKey struct {
	name, domain, typ string
	metric            bool // declared only when metrics are written
}

// graphMLKeys are the attributes of a GraphML export, in document order.
var graphMLKeys = []graphMLKey{
	{"name", "node", "string", false},
	{"company", "node", "string", false},
	{"communities", "node", "string", false},
	{"degree", "node", "int", true},
	{"weightedDegree", "node", "double", true},
	{"betweenness", "node", "double", true},
	{"closeness", "node", "double", true},
	{"community", "node", "int", true},
	{"attended", "node", "boolean", false},
	{"strength", "edge", "double", false},
	{"currentStrength", "edge", "double", false},
	{"encounterCount", "edge", "int", false},
	{"firstMetAt", "edge", "string", false},
	{"lastMetAt", "edge", "string", false},
}

// WriteGraphML writes n as a GraphML document (undirected; node ids are
// person IDs, edge ids relationship IDs), encoding it element by element.
// metrics may be nil: the metric attributes are then neither declared nor
// written. A person without a company has no company data.
func WriteGraphML(w io.Writer, n *network.Network, metrics map[int]analysis.NodeMetrics) error {
	g := &graphMLWriter{enc: xml.NewEncoder(w)}
	g.enc.Indent("", "  ")
	g.raw(xml.ProcInst{Target: "xml", Inst: []byte(`version="1.0" encoding="UTF-8"`)})
	g.raw(xml.CharData("\n"))
	g.start("graphml",
		"xmlns", GraphMLNamespace,
		"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance",
		"xsi:schemaLocation", GraphMLNamespace+" http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd")
	for _, k := range graphMLKeys {
		if k.metric && metrics == nil {
			continue
		}
		g.start("key", "id", k.name, "for", k.domain, "attr.name", k.name, "attr.type", k.typ)
		g.end("key")
	}
	g.start("graph", "id", "G", "edgedefault", "undirected")
	for _, p := range n.People {
		g.start("node", "id", strconv.Itoa(p.ID))
		g.data("name", p.Name)
		if p.Company != nil {
			g.data("company", *p.Company)
		}
		g.data("communities", strings.Join(communityNames(p), "; "))
		if metrics != nil {
			m := metrics[p.ID]
			g.data("degree", strconv.Itoa(m.Degree))
			g.data("weightedDegree", xsdDouble(m.WeightedDegree))
			g.data("betweenness", xsdDouble(m.Betweenness))
			g.data("closeness", xsdDouble(m.Closeness))
			g.data("community", strconv.Itoa(m.Community))
		}
		g.data("attended", strconv.FormatBool(n.Attended[p.ID]))
		g.end("node")
		if g.err != nil {
			return g.err
		}
	}
	for _, l := range n.Links {
		g.start("edge", "id", edgeKey(l), "source", strconv.Itoa(l.A), "target", strconv.Itoa(l.B))
		g.data("strength", xsdDouble(l.Strength))
		g.data("currentStrength", xsdDouble(l.CurrentStrength))
		g.data("encounterCount", strconv.Itoa(l.EncounterCount))
		g.data("firstMetAt", timestamp(l.FirstMetAt))
		g.data("lastMetAt", timestamp(l.LastMetAt))
		g.end("edge")
		if g.err != nil {
			return g.err
		}
	}
	g.end("graph")
	g.end("graphml")
	g.raw(xml.CharData("\n"))
	if g.err == nil {
		g.err = g.enc.Flush()
	}
	return g.err
}

// graphMLWriter encodes tokens, keeping the first error.
type graphMLWriter struct {
	enc *xml.Encoder
	err error
}

func (g *graphMLWriter) raw(t xml.Token) {
	if g.err == nil {
		g.err = g.enc.EncodeToken(t)
	}
}

// start opens element name with attributes given as name, value pairs.
func (g *graphMLWriter) start(name string, attrs ...string) {
	el := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	g.raw(el)
}

func (g *graphMLWriter) end(name string) { g.raw(xml.EndElement{Name: xml.Name{Local: name}}) }

func (g *graphMLWriter) data(key, value string) {
	g.start("data", "key", key)
	g.raw(xml.CharData(value))
	g.end("data")
}

// edgeKey is the ID of a link's relationship, or "e<A>-<B>" for a link
// rebuilt from encounters whose relationship no longer exists.
func edgeKey(l network.Link) string {
	if l.ID == 0 {
		return "e" + strconv.Itoa(l.A) + "-" + strconv.Itoa(l.B)
	}
	return strconv.Itoa(l.ID)
}

// communityNames are the names of a person's communities, by community ID.
func communityNames(p *ent.Person) []string {
	cs := slices.Clone(p.Edges.Communities)
	slices.SortFunc(cs, func(a, b *ent.Community) int { return a.ID - b.ID })
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// xsdDouble formats a double in the lexical form of XML Schema.
func xsdDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
