package terraform

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/collection"
	"github.com/hashicorp/go-cty-funcs/crypto"
	"github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/go-cty-funcs/filesystem"
	"github.com/hashicorp/go-cty-funcs/uuid"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	"golang.org/x/text/encoding/ianaindex"
)

// functions is Terraform's library of pure built-in functions. Most come
// from go-cty's stdlib, go-cty-funcs, go-cty-yaml and hcl's tryfunc; the few
// Terraform defines itself that no library provides are written below to
// Terraform's documented behaviour. Functions that read files are bound per
// module (fileFunctions). Functions whose result changes from run to run or
// machine to machine are deliberately absent (absentFunctions): a call to
// them leaves the value unknown, naming the function.
var functions = map[string]function.Function{
	"abs":              stdlib.AbsoluteFunc,
	"alltrue":          allTrueFunc,
	"anytrue":          anyTrueFunc,
	"base64decode":     encoding.Base64DecodeFunc,
	"base64encode":     encoding.Base64EncodeFunc,
	"base64gzip":       base64GzipFunc,
	"base64sha256":     makeBase64HashFunc(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }),
	"base64sha512":     makeBase64HashFunc(func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }),
	"basename":         filesystem.BasenameFunc,
	"can":              tryfunc.CanFunc,
	"ceil":             stdlib.CeilFunc,
	"chomp":            stdlib.ChompFunc,
	"chunklist":        stdlib.ChunklistFunc,
	"cidrhost":         cidr.HostFunc,
	"cidrnetmask":      cidrNetmaskFunc,
	"cidrsubnet":       cidr.SubnetFunc,
	"cidrsubnets":      cidr.SubnetsFunc,
	"coalesce":         collection.CoalesceFunc,
	"coalescelist":     stdlib.CoalesceListFunc,
	"compact":          stdlib.CompactFunc,
	"concat":           stdlib.ConcatFunc,
	"contains":         stdlib.ContainsFunc,
	"csvdecode":        stdlib.CSVDecodeFunc,
	"dirname":          filesystem.DirnameFunc,
	"distinct":         stdlib.DistinctFunc,
	"element":          stdlib.ElementFunc,
	"endswith":         endsWithFunc,
	"flatten":          stdlib.FlattenFunc,
	"floor":            stdlib.FloorFunc,
	"format":           stdlib.FormatFunc,
	"formatdate":       stdlib.FormatDateFunc,
	"formatlist":       stdlib.FormatListFunc,
	"indent":           stdlib.IndentFunc,
	"index":            indexFunc,
	"join":             stdlib.JoinFunc,
	"jsondecode":       stdlib.JSONDecodeFunc,
	"jsonencode":       stdlib.JSONEncodeFunc,
	"keys":             stdlib.KeysFunc,
	"length":           lengthFunc,
	"log":              stdlib.LogFunc,
	"lookup":           lookupFunc,
	"lower":            stdlib.LowerFunc,
	"matchkeys":        matchKeysFunc,
	"max":              stdlib.MaxFunc,
	"md5":              crypto.Md5Func,
	"merge":            stdlib.MergeFunc,
	"min":              stdlib.MinFunc,
	"nonsensitive":     identityFunc,
	"one":              oneFunc,
	"parseint":         stdlib.ParseIntFunc,
	"pow":              stdlib.PowFunc,
	"range":            stdlib.RangeFunc,
	"regex":            stdlib.RegexFunc,
	"regexall":         stdlib.RegexAllFunc,
	"replace":          replaceFunc,
	"reverse":          stdlib.ReverseListFunc,
	"rsadecrypt":       crypto.RsaDecryptFunc,
	"sensitive":        identityFunc,
	"setintersection":  stdlib.SetIntersectionFunc,
	"setproduct":       setProductFunc,
	"setsubtract":      stdlib.SetSubtractFunc,
	"setunion":         stdlib.SetUnionFunc,
	"sha1":             crypto.Sha1Func,
	"sha256":           crypto.Sha256Func,
	"sha512":           crypto.Sha512Func,
	"signum":           stdlib.SignumFunc,
	"slice":            stdlib.SliceFunc,
	"sort":             stdlib.SortFunc,
	"split":            stdlib.SplitFunc,
	"startswith":       startsWithFunc,
	"strcontains":      strContainsFunc,
	"strrev":           stdlib.ReverseFunc,
	"substr":           stdlib.SubstrFunc,
	"sum":              sumFunc,
	"textdecodebase64": textDecodeBase64Func,
	"textencodebase64": textEncodeBase64Func,
	"timeadd":          stdlib.TimeAddFunc,
	"timecmp":          timeCmpFunc,
	"title":            stdlib.TitleFunc,
	"tobool":           stdlib.MakeToFunc(cty.Bool),
	"tolist":           stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"tomap":            stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"tonumber":         stdlib.MakeToFunc(cty.Number),
	"toset":            stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tostring":         stdlib.MakeToFunc(cty.String),
	"transpose":        transposeFunc,
	"trim":             stdlib.TrimFunc,
	"trimprefix":       stdlib.TrimPrefixFunc,
	"trimspace":        stdlib.TrimSpaceFunc,
	"trimsuffix":       stdlib.TrimSuffixFunc,
	"try":              tryfunc.TryFunc,
	"upper":            stdlib.UpperFunc,
	"urldecode":        urlDecodeFunc,
	"urlencode":        encoding.URLEncodeFunc,
	"uuidv5":           uuid.V5Func,
	"values":           stdlib.ValuesFunc,
	"yamldecode":       yamlDecodeFunc,
	"yamlencode":       ctyyaml.YAMLEncodeFunc,
	"zipmap":           stdlib.ZipmapFunc,
}

// absentFunctions are Terraform built-ins sgcheck deliberately does not
// evaluate, with the reason (also in docs/limitations.md).
var absentFunctions = map[string]string{
	"timestamp":       "its result changes from run to run",
	"plantimestamp":   "its result changes from run to run",
	"uuid":            "its result is random",
	"bcrypt":          "its result is random (a new salt each call)",
	"abspath":         "its result depends on the machine's directory layout",
	"pathexpand":      "its result depends on the user's home directory",
	"issensitive":     "sgcheck does not track which values are sensitive",
	"ephemeralasnull": "sgcheck does not track which values are ephemeral",
	"templatestring":  "its template must be a reference to a value produced elsewhere, usually a data source",
	"type":            "it exists only in terraform console",
	"list":            "Terraform removed it in v0.15 (use tolist or [...])",
	"map":             "Terraform removed it in v0.15 (use tomap or {...})",
}

func init() {
	for name, why := range absentFunctions {
		functions[name] = absentFunc(name, why)
	}
	for _, name := range contentFunctions {
		functions[name] = opaqueToRefs(functions[name])
	}
}

// contentFunctions read the characters of a string argument. sgcheck
// stands for what a resource is known by only after apply (its id, arn, a
// random_pet's name) by a reference string; what these functions would make
// of its characters is not the real value (length(random_pet.p.id) is not
// 24, startswith(aws_security_group.a.id, "sg-") not false), so they give
// an unknown value for it, as Terraform does before apply.
// Functions that keep a reference whole (split on a delimiter it does not
// hold, join, trimspace, format's %s) are not among them: join then split
// of a list of group ids is how many modules pass lists.
var contentFunctions = []string{"length", "upper", "lower", "title", "substr", "replace", "regex", "regexall",
	"trim", "strrev", "startswith", "endswith", "strcontains", "base64encode", "base64gzip", "base64sha256",
	"base64sha512", "md5", "sha1", "sha256", "sha512", "textencodebase64", "urlencode", "tonumber", "parseint",
	"tobool", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets"}

// opaqueToRefs wraps f: a reference string among its arguments makes its
// result unknown.
func opaqueToRefs(f function.Function) function.Function {
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      f.Params(),
		VarParam:    f.VarParam(),
		Type:        f.ReturnTypeForValues,
		Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
			for _, a := range args {
				if a.IsKnown() && !a.IsNull() && a.Type() == cty.String && strings.HasPrefix(a.AsString(), refPrefix) {
					return cty.UnknownVal(ret), nil
				}
			}
			return f.Call(args)
		},
	})
}

// absentFunc returns an unknown value: the configuration is valid, sgcheck
// only does not evaluate it. unknownReason names the function.
func absentFunc(name, why string) function.Function {
	return function.New(&function.Spec{
		Description: "not evaluated by sgcheck: " + why,
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true,
			AllowDynamicType: true, AllowMarked: true},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.DynamicVal, nil },
	})
}

// lookupFunc is go-cty's lookup, accepting a null default as Terraform's
// does (modules write lookup(m, "k", null) for optional keys): with a null
// default, a missing key gives null; everything else is go-cty's.
var lookupFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true},
		{Name: "key", Type: cty.String, AllowMarked: true},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowNull: true, AllowMarked: true,
		AllowDynamicType: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		switch {
		case len(args) > 3:
			return cty.NilType, function.NewArgErrorf(3, "lookup takes at most three arguments")
		case len(args) == 2:
			// lookup(map, key): the default is optional in Terraform
			// (deprecated), and the key must then be present
			return lookupNoDefaultType(args[0], args[1])
		case args[2].IsNull():
			return cty.DynamicPseudoType, nil
		}
		return stdlib.LookupFunc.ReturnType(argTypes(args))
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if len(args) == 2 {
			v, diags := hcl.Index(args[0], args[1], nil)
			if diags.HasErrors() {
				return cty.NilVal, function.NewArgErrorf(1, "lookup failed to find key %s", args[1].GoString())
			}
			return v, nil
		}
		if len(args) == 3 && args[2].IsNull() {
			if v, diags := hcl.Index(args[0], args[1], nil); !diags.HasErrors() {
				return v, nil
			}
			return cty.NullVal(cty.DynamicPseudoType), nil
		}
		return stdlib.LookupFunc.Call(args)
	},
})

// lookupNoDefaultType is the type of lookup(m, key) without a default.
func lookupNoDefaultType(m, key cty.Value) (cty.Type, error) {
	ty := m.Type()
	switch {
	case ty.IsObjectType():
		if !key.IsKnown() {
			return cty.DynamicPseudoType, nil
		}
		k, _ := key.Unmark()
		if !ty.HasAttribute(k.AsString()) {
			return cty.NilType, function.NewArgErrorf(1, "lookup failed to find key %q", k.AsString())
		}
		return ty.AttributeType(k.AsString()), nil
	case ty.IsMapType():
		return ty.ElementType(), nil
	case ty == cty.DynamicPseudoType:
		return cty.DynamicPseudoType, nil
	}
	return cty.NilType, function.NewArgErrorf(0, "lookup requires a map or an object, not %s", ty.FriendlyName())
}

func argTypes(args []cty.Value) []cty.Type {
	out := make([]cty.Type, len(args))
	for i, a := range args {
		out[i] = a.Type()
	}
	return out
}

var identityFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true,
		AllowUnknown: true, AllowDynamicType: true, AllowMarked: true}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return args[0], nil },
})

// boolsFunc is alltrue (all) or anytrue: over a list or set of bools
// (or strings "true"/"false"), null elements counting as false.
func boolsFunc(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			result := all
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				if !v.IsKnown() {
					return cty.UnknownVal(cty.Bool), nil
				}
				b := !v.IsNull() && v.True()
				if all && !b {
					result = false
				}
				if !all && b {
					result = true
				}
			}
			return cty.BoolVal(result), nil
		},
	})
}

var (
	allTrueFunc = boolsFunc(true)
	anyTrueFunc = boolsFunc(false)
)

func stringTestFunc(test func(s, x string) bool, second string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: second, Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var (
	startsWithFunc  = stringTestFunc(strings.HasPrefix, "prefix")
	endsWithFunc    = stringTestFunc(strings.HasSuffix, "suffix")
	strContainsFunc = stringTestFunc(strings.Contains, "substr")
)

// oneFunc returns the single element of a list, set or tuple, null for an
// empty one, and fails for more.
var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType, AllowUnknown: true}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			switch n := len(ty.TupleElementTypes()); n {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return ty.TupleElementTypes()[0], nil
			default:
				return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
			}
		case ty == cty.DynamicPseudoType:
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
	Impl: func(args []cty.Value, ty cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() || v.IsNull() {
			if v.IsNull() {
				return cty.NilVal, fmt.Errorf("argument must not be null")
			}
			return cty.UnknownVal(ty), nil
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(ty), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
	},
})

// sumFunc adds the numbers of a non-empty list, set or tuple.
var sumFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.CanIterateElements() || v.LengthInt() == 0 {
			return cty.NilVal, fmt.Errorf("cannot sum an empty list or a value that is not a collection")
		}
		total := new(big.Float)
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !e.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			n, err := convert.Convert(e, cty.Number)
			if err != nil || n.IsNull() {
				return cty.NilVal, fmt.Errorf("sum can only add numbers")
			}
			total.Add(total, n.AsBigFloat())
		}
		return cty.NumberVal(total), nil
	},
})

// transposeFunc swaps the keys and values of a map of lists of strings.
var transposeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:   function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		out := map[string][]string{}
		for it := args[0].ElementIterator(); it.Next(); {
			k, list := it.Element()
			for lt := list.ElementIterator(); lt.Next(); {
				_, v := lt.Element()
				if v.IsNull() {
					return cty.NilVal, fmt.Errorf("input lists must not contain null values")
				}
				out[v.AsString()] = append(out[v.AsString()], k.AsString())
			}
		}
		m := map[string]cty.Value{}
		for k, vs := range out {
			sort.Strings(vs)
			vals := make([]cty.Value, len(vs))
			for i, s := range vs {
				vals[i] = cty.StringVal(s)
			}
			m[k] = cty.ListVal(vals)
		}
		if len(m) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		return cty.MapVal(m), nil
	},
})

// matchKeysFunc keeps the values whose key at the same index is in the
// search set.
var matchKeysFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "searchset", Type: cty.List(cty.DynamicPseudoType)},
	},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, ty cty.Type) (cty.Value, error) {
		values, keys, search := args[0].AsValueSlice(), args[1].AsValueSlice(), args[2].AsValueSlice()
		if len(values) != len(keys) {
			return cty.NilVal, fmt.Errorf("length of keys and values should be equal")
		}
		var out []cty.Value
		for i, k := range keys {
			for _, s := range search {
				if eq := k.Equals(s); eq.IsKnown() && eq.True() {
					out = append(out, values[i])
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(ty.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

var base64GzipFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(args[0].AsString())); err != nil {
			return cty.NilVal, err
		}
		if err := w.Close(); err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(base64.StdEncoding.EncodeToString(b.Bytes())), nil
	},
})

func makeBase64HashFunc(sum func([]byte) []byte) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(base64.StdEncoding.EncodeToString(sum([]byte(args[0].AsString())))), nil
		},
	})
}

var textEncodeBase64Func = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "string", Type: cty.String}, {Name: "encoding", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, err := ianaindex.IANA.Encoding(args[1].AsString())
		if err != nil || enc == nil {
			return cty.NilVal, function.NewArgErrorf(1, "%q is not a supported IANA encoding name", args[1].AsString())
		}
		b, err := enc.NewEncoder().Bytes([]byte(args[0].AsString()))
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "the string cannot be encoded in %s", args[1].AsString())
		}
		return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
	},
})

var textDecodeBase64Func = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "source", Type: cty.String}, {Name: "encoding", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, err := ianaindex.IANA.Encoding(args[1].AsString())
		if err != nil || enc == nil {
			return cty.NilVal, function.NewArgErrorf(1, "%q is not a supported IANA encoding name", args[1].AsString())
		}
		raw, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid base64: %v", err)
		}
		b, err := enc.NewDecoder().Bytes(raw)
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "the bytes are not valid %s", args[1].AsString())
		}
		return cty.StringVal(string(b)), nil
	},
})

// timeCmpFunc compares two RFC 3339 timestamps: -1, 0 or 1.
var timeCmpFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "timestamp_a", Type: cty.String}, {Name: "timestamp_b", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i := range ts {
			t, err := time.Parse(time.RFC3339, args[i].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(i, "not a valid RFC3339 timestamp: %v", err)
			}
			ts[i] = t
		}
		return cty.NumberIntVal(int64(ts[0].Compare(ts[1]))), nil
	},
})

// templateFunc evaluates a template's source with vars and the function
// library (templatefile without further templatefile calls, as in
// Terraform).
func templateFunc(src []byte, name string, vars cty.Value, funcs map[string]function.Function) (cty.Value, error) {
	expr, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return evalTemplate(expr, vars, funcs)
}

// evalTemplate renders a parsed template with vars.
func evalTemplate(expr hclsyntax.Expression, vars cty.Value, funcs map[string]function.Function) (cty.Value, error) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: funcs}
	if !vars.IsNull() && vars.IsKnown() && (vars.Type().IsObjectType() || vars.Type().IsMapType()) {
		ctx.Variables = vars.AsValueMap()
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return v, nil
}

// cidrNetmaskFunc is Terraform's cidrnetmask: go-cty-funcs' netmask, but an
// IPv6 prefix is an error ("IPv6 addresses cannot have a netmask"), as in
// Terraform and OpenTofu. Configurations rely on it to keep IPv4 addresses
// only: [for ip in ips : ip if can(cidrnetmask("${ip}/32"))].
var cidrNetmaskFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		prefix := args[0].AsString()
		if _, network, err := net.ParseCIDR(prefix); err == nil && network.IP.To4() == nil {
			return cty.UnknownVal(cty.String), fmt.Errorf("IPv6 addresses cannot have a netmask: %s", prefix)
		}
		return cidr.Netmask(args[0])
	},
})

// indexFunc is Terraform's index(list, value): the position of the first
// element equal to value (go-cty's index is element access instead).
var indexFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}, {Name: "value", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		ty := args[0].Type()
		if !(ty.IsListType() || ty.IsTupleType()) {
			return cty.NilVal, function.NewArgErrorf(0, "argument must be a list or tuple")
		}
		if !args[0].IsKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		i := 0
		for it := args[0].ElementIterator(); it.Next(); i++ {
			_, v := it.Element()
			eq, err := stdlib.Equal(v, args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return cty.NumberIntVal(int64(i)), nil
			}
		}
		return cty.NilVal, fmt.Errorf("item not found")
	},
})

// lengthFunc is length over collections and, as Terraform's, strings.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.DynamicPseudoType {
			return cty.UnknownVal(cty.Number), nil
		}
		if args[0].Type() == cty.String {
			if !args[0].IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			return stdlib.Strlen(args[0])
		}
		// as Terraform's: a tuple's or object's length is in its type
		switch ty := args[0].Type(); {
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(len(ty.TupleElementTypes()))), nil
		}
		return stdlib.Length(args[0])
	},
})

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a
// regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String}},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, sub, rep := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			re, err := regexp.Compile(sub[1 : len(sub)-1])
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(re.ReplaceAllString(str, rep)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, sub, rep)), nil
	},
})

var urlDecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s, err := url.QueryUnescape(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(s), nil
	},
})

// maxProduct bounds the elements setproduct builds, checked before any is.
const maxProduct = 100000

// setProductFunc is go-cty's setproduct, refusing a result larger than
// maxProduct before building it.
var setProductFunc = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.SetProductFunc.ReturnType(argTypes(args))
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		total := 1
		for _, a := range args {
			if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
				return stdlib.SetProductFunc.Call(args)
			}
			n := a.LengthInt()
			if n > 0 && total > maxProduct/n {
				return cty.NilVal, fmt.Errorf("the product has more than %d elements, the most sgcheck builds", maxProduct)
			}
			total *= n
		}
		return stdlib.SetProductFunc.Call(args)
	},
})
