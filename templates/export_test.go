package templates

// DefaultComponent is the component that MetaTags() renders through, without
// templ's generated wrapper.
var DefaultComponent = defaultComponent
