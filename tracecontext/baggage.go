package tracecontext

// Member is one list-member of W3C baggage: a key, its decoded value and its
// properties.
type Member struct {
	Key        string
	Value      string
	Properties []Property
}

// Property is one property of a baggage [Member]: "key" or "key=value".
type Property struct {
	Key      string
	Value    string
	HasValue bool
}

// Baggage is a parsed W3C baggage header: an ordered list of members.
// The zero value is empty baggage.
type Baggage struct {
	members []Member
}
