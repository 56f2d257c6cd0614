package catalog

// LoadKnown exposes the built-in app knowledge to the tests.
var LoadKnown = loadKnown
