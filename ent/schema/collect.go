package schema

// ResolverColumns is a type's annotation for entgql's field collection: for
// each GraphQL field of the type that a hand-written resolver computes (a
// field of an `extend type` in schema/, or one whose generated type is
// skipped), the ent fields its resolver reads from the loaded entity.
//
// entgql selects only the columns a query asks for, unless the query asks for
// a field it does not know: then it selects every column, since a resolver may
// read any of them. A field named here selects its columns instead (the
// patched collection template in ent/entc.go), so `meetings { startsAt }`
// reads starts_at and time_zone, not the meeting's thirty columns. A field
// left out keeps the safe default. Names are ent field names; a wrong one
// fails the build (the template writes its constant).
type ResolverColumns map[string][]string

// Name of the annotation, read by the template as .Annotations.ResolverColumns.
func (ResolverColumns) Name() string { return "ResolverColumns" }
