package codec

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// structField is one JSON member of a struct type, found with the rules of
// encoding/json: exported fields, fields of embedded structs promoted unless
// hidden by a shallower field of the same name, JSON tags taking precedence
// over untagged names at the same depth.
type structField struct {
	name      string
	key       []byte // the JSON-escaped name with quotes and colon
	index     []int  // path from the outer struct through embedded ones
	tagged    bool
	omitEmpty bool
	omitZero  bool
	quoted    bool
	badName   bool // its tag names it in a way encoding/json cannot use
	isZero    func(reflect.Value) bool
	encode    encoderFunc
}

func newStructEncoder(t reflect.Type) encoderFunc {
	fields := structFields(t)
	return func(e *encState, v reflect.Value, _ bool) error {
		e.buf = append(e.buf, '{')
		first := true
	fieldLoop:
		for i := range fields {
			f := &fields[i]
			fv := v
			for _, x := range f.index {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue fieldLoop // inside a nil embedded pointer
					}
					fv = fv.Elem()
				}
				fv = fv.Field(x)
			}
			if f.omitEmpty && isEmptyValue(fv) || f.omitZero && f.isZero(fv) {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = append(e.buf, f.key...)
			if err := f.encode(e, fv, f.quoted); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
		return nil
	}
}

// isEmptyValue is the omitempty test of encoding/json.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// zeroTest returns the omitzero test for a field of type t: its IsZero
// method when it has one (guarding against nil), else reflect's IsZero.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() {
				return true
			}
			z, _ := reflect.TypeAssert[isZeroer](v)
			return z.IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if v.IsNil() {
				return true
			}
			z, _ := reflect.TypeAssert[isZeroer](v)
			return z.IsZero()
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			z, _ := reflect.TypeAssert[isZeroer](v)
			return z.IsZero()
		}
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			z, _ := reflect.TypeAssert[isZeroer](v.Addr())
			return z.IsZero()
		}
	}
	return reflect.Value.IsZero
}

// structFields lists the JSON members of struct type t in field order.
func structFields(t reflect.Type) []structField {
	type pending struct {
		typ   reflect.Type
		index []int
	}
	var found []structField
	visited := map[reflect.Type]bool{}
	level := []pending{{typ: t}}
	count := map[reflect.Type]int{}
	for len(level) > 0 {
		var next []pending
		nextCount := map[reflect.Type]int{}
		for _, p := range level {
			if visited[p.typ] {
				continue
			}
			visited[p.typ] = true
			for i := range p.typ.NumField() {
				sf := p.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				badName := name != "" && !validTagName(name)
				if badName {
					name = ""
				}
				index := append(slices.Clip(p.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					// An untagged embedded struct: its fields are
					// promoted, to be looked at on the next level.
					nextCount[ft]++
					if nextCount[ft] == 1 {
						next = append(next, pending{typ: ft, index: index})
					}
					continue
				}
				f := structField{
					name:      name,
					index:     index,
					tagged:    name != "",
					omitEmpty: hasOption(opts, "omitempty"),
					omitZero:  hasOption(opts, "omitzero"),
					badName:   badName,
				}
				if f.name == "" {
					f.name = sf.Name
				}
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						f.quoted = true
					}
				}
				if f.omitZero {
					f.isZero = zeroTest(sf.Type)
				}
				found = append(found, f)
				if count[p.typ] > 1 {
					// The same struct is embedded twice at this depth:
					// a second copy makes the names ambiguous below.
					found = append(found, f)
				}
			}
		}
		level, count = next, nextCount
	}

	// Keep, for each name, the field that dominates: the shallowest, a
	// tagged one before an untagged one; a tie drops the name entirely.
	slices.SortFunc(found, func(a, b structField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := found[:0]
	for i := 0; i < len(found); {
		j := i + 1
		for j < len(found) && found[j].name == found[i].name {
			j++
		}
		if j-i == 1 || len(found[i].index) != len(found[i+1].index) || found[i].tagged != found[i+1].tagged {
			out = append(out, found[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b structField) int { return slices.Compare(a.index, b.index) })

	for i := range out {
		f := &out[i]
		f.key = append(appendJSString(nil, f.name), ':')
		f.encode = typeEncoder(fieldType(t, f.index))
	}
	return out
}

// fieldType returns the type of the field reached by index from t.
func fieldType(t reflect.Type, index []int) reflect.Type {
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		t = t.Field(i).Type
	}
	return t
}

// hasOption reports whether the comma-separated tag options contain name.
func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTagName reports whether a JSON tag name is usable, with the rule of
// encoding/json: letters, digits and most punctuation, but no quotes or
// backslashes.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) {
			continue
		}
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}
