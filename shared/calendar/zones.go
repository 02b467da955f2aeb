package calendar

import (
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Zones returns the IANA zones a phone number (E.164) may be in, from
// libphonenumber's prefix data, so quiet hours follow the recipient's clock
// and not the sender's. NANP area codes that span zones return all of them
// (Allowed then requires every one). When the library knows no zone for the
// number, or the number does not parse, the fallback zone name is used (the
// business's configured default); an invalid or empty fallback, or "Local"
// (which would depend on the server), gives UTC. Never empty. Batches should
// call ZoneCache.Zones instead, which skips reparsing zone files.
func Zones(e164, fallback string) []*time.Location {
	return (*ZoneCache)(nil).Zones(e164, fallback)
}

// ZoneCache remembers loaded zones so a batch send does not parse a zone
// file per recipient (time.LoadLocation does, ~40µs). The caller owns it
// (one per batch or per process), keeping the package free of global state.
// The zero value is ready; it is safe for concurrent use; a nil *ZoneCache
// loads every time.
type ZoneCache struct {
	mu   sync.Mutex
	locs map[string]*time.Location
}

// Zones is the package-level Zones, using the cache.
func (c *ZoneCache) Zones(e164, fallback string) []*time.Location {
	var out []*time.Location
	if num, err := phonenumbers.Parse(e164, ""); err == nil {
		if names, err := phonenumbers.GetTimezonesForNumber(num); err == nil {
			for _, name := range names {
				if name == "" || name == phonenumbers.UNKNOWN_TIMEZONE || name == "Local" {
					continue
				}
				loc, err := c.load(name)
				if err != nil || hasZone(out, loc.String()) {
					continue
				}
				out = append(out, loc)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, c.fallback(fallback))
	}
	return out
}

func (c *ZoneCache) fallback(name string) *time.Location {
	if name == "" || name == "Local" {
		return time.UTC
	}
	loc, err := c.load(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

func (c *ZoneCache) load(name string) (*time.Location, error) {
	if c == nil {
		return time.LoadLocation(name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.locs[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err // not cached: a bad fallback name is rare and cheap to retry
	}
	if c.locs == nil {
		c.locs = make(map[string]*time.Location)
	}
	c.locs[name] = loc
	return loc, nil
}

func hasZone(zones []*time.Location, name string) bool {
	for _, z := range zones {
		if z.String() == name {
			return true
		}
	}
	return false
}
