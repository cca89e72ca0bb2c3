package strictjson

// Object reads the object whose '{' is next, a container at depth (the
// top-level object is at depth 1). For each member it reads the key and
// its ':', and calls member with the index in names of the name the key
// is, or -1 (always, for nil names); member must then read the value, with
// one of the typed readers or Skip. A nil member skips every value.
//
// A key must differ, under the case folding encoding/json applies to
// field names, from every key before it in the object; and a key that
// folds to one of names must be spelled exactly like it.
func (d *Decoder) Object(depth int, names *Names, member func(idx int) error) error {
	keys := objectKeys{names: names, start: d.pos, depth: depth}
	empty, err := d.open('}', depth)
	if err != nil || empty {
		return err
	}
	for n := 1; ; n++ {
		if err := d.countMember(n); err != nil {
			return err
		}
		idx, err := d.key(&keys)
		if err != nil {
			return err
		}
		if member == nil {
			err = d.Skip(depth)
		} else {
			err = member(idx)
		}
		if err != nil {
			return err
		}
		more, err := d.next('}')
		if err != nil || !more {
			return err
		}
	}
}

// Skip checks the value that comes next, inside a container at depth.
func (d *Decoder) Skip(depth int) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return d.Object(depth+1, nil, nil)
	case '[':
		return d.skipArray(depth + 1)
	case '"':
		_, _, err := d.scanString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.skipNumber()
}

// skipArray checks the array at depth whose '[' is at d.pos.
func (d *Decoder) skipArray(depth int) error {
	empty, err := d.open(']', depth)
	if err != nil || empty {
		return err
	}
	for {
		if err := d.count(); err != nil {
			return err
		}
		if err := d.Skip(depth); err != nil {
			return err
		}
		more, err := d.next(']')
		if err != nil || !more {
			return err
		}
	}
}
