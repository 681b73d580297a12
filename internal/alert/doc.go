// Package alert owns Vigil's alerts (DESIGN §6): what a detection raises,
// how duplicates of one rule and entity set fold into one alert with a
// count, and the Sink contract alerts are written through (the store and
// the API implement it).
package alert
