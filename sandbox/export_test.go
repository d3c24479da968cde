package sandbox

// Leftovers is leftovers, for the external TestMain.
var Leftovers = leftovers
