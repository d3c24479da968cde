package sandbox

// Leftovers is leftovers, for the external TestMain.
var Leftovers = leftovers

// Hold is hold, for the external TestMain.
var Hold = hold

// ServeFUSE is serveFUSE, for the external TestMain.
var ServeFUSE = serveFUSE
