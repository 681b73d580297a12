package entity

import (
	"math"

	"github.com/vigilsiem/vigil/internal/event"
)

// travelState is the last located event of an entity.
type travelState struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	At    int64   `json:"at"`
	Where string  `json:"where"`
	Event string  `json:"event,omitempty"`
}

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = 6371.0

// distanceKm is the great-circle distance (haversine).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, a)))
}

// location reads source.geo.location and a place name (country, city).
func location(e *event.Event) (lat, lon float64, where string, ok bool) {
	lat, ok1 := number(e, "source.geo.location.lat")
	lon, ok2 := number(e, "source.geo.location.lon")
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, "", false
	}
	where = e.GetString("source.geo.country_iso_code")
	if c := e.GetString("source.geo.city_name"); c != "" {
		if where != "" {
			where += " "
		}
		where += c
	}
	if where == "" {
		where = e.GetString("source.ip")
	}
	return lat, lon, where, true
}

// number reads a numeric field (a number, or a string holding one).
func number(e *event.Event, name string) (float64, bool) {
	v, ok := e.Get(name)
	if !ok {
		return 0, false
	}
	switch v.Kind() {
	case event.KindFloat:
		return v.Float(), true
	case event.KindInt:
		return float64(v.Int()), true
	case event.KindString:
		w := event.Infer(v.Str())
		switch w.Kind() {
		case event.KindFloat:
			return w.Float(), true
		case event.KindInt:
			return float64(w.Int()), true
		}
	}
	return 0, false
}
