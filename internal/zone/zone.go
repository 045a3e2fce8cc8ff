// Package zone loads IANA time zones once per process: time.LoadLocation
// reads and parses the zone data on every call, and lists of meetings need
// their zone for every item.
package zone

import (
	"sync"
	"time"
)

var loaded sync.Map // name -> *time.Location

// Load returns the IANA time zone name, loaded once.
func Load(name string) (*time.Location, error) {
	if loc, ok := loaded.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	loaded.Store(name, loc)
	return loc, nil
}

// Of returns the time zone name, or UTC when it is unknown (which the
// model's validation prevents for stored records).
func Of(name string) *time.Location {
	if loc, err := Load(name); err == nil {
		return loc
	}
	return time.UTC
}
