//go:build race

package injectcaddy

// raceEnabled reports a -race build, in which sync.Pool drops a quarter of
// what it is given on purpose: a pooled decoder is then made again now and
// then, and allocation bounds of pooled code hold only on average.
const raceEnabled = true
