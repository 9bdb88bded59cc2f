// Command hat-tekton-validate checks Tekton manifests the way the Tekton admission webhooks do:
// strict decoding, SetDefaults and Validate from tektoncd/pipeline and tektoncd/triggers, run
// in a create context with the default config. It adds the checks HAT wants and the webhook lacks:
// duplicate result names, $(params...) inside step scripts, and step images not pinned by digest.
//
// Usage: hat-tekton-validate [--allow-image REGEX]... [--strict-kinds] FILE|DIR|- ...
//
// Output: one line per problem, "FILE: Kind/name: field.path: message". Exit 0 (silent) when all
// is fine, 1 when there are problems, 2 for usage errors, unreadable files and YAML syntax errors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	pipelineconfig "github.com/tektoncd/pipeline/pkg/apis/config"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	triggersconfig "github.com/tektoncd/triggers/pkg/apis/config"
	"github.com/tektoncd/triggers/pkg/apis/triggers/contexts"
	triggersv1alpha1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1alpha1"
	triggersv1beta1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"
)

const usage = `usage: hat-tekton-validate [--allow-image REGEX]... [--strict-kinds] FILE|DIR|- ...

Validates Tekton (tekton.dev v1, v1beta1) and Tekton Triggers (triggers.tekton.dev v1beta1, v1alpha1)
manifests with the webhooks' own SetDefaults and Validate, plus HAT's checks. Directories are searched
for *.yaml and *.yml; "-" reads standard input.

  --allow-image REGEX  accept step images matching REGEX (whole reference) without a digest; repeatable
  --strict-kinds       report documents whose apiVersion/kind this tool does not know
  -h, --help           show this help

Prints "FILE: Kind/name: field.path: message" per problem. Exit 0: fine, 1: problems, 2: usage
error, unreadable file or YAML syntax error.
`

// resource is what the webhooks handle: resourcesemantics.GenericCRD without the runtime.Object part.
type resource interface {
	apis.Defaultable
	apis.Validatable
}

type kindInfo struct {
	new      func() resource
	triggers bool
}

var kinds = map[string]kindInfo{
	"tekton.dev/v1/Task":        {new: func() resource { return &pipelinev1.Task{} }},
	"tekton.dev/v1/Pipeline":    {new: func() resource { return &pipelinev1.Pipeline{} }},
	"tekton.dev/v1/TaskRun":     {new: func() resource { return &pipelinev1.TaskRun{} }},
	"tekton.dev/v1/PipelineRun": {new: func() resource { return &pipelinev1.PipelineRun{} }},

	"tekton.dev/v1beta1/Task":        {new: func() resource { return &pipelinev1beta1.Task{} }},
	"tekton.dev/v1beta1/Pipeline":    {new: func() resource { return &pipelinev1beta1.Pipeline{} }},
	"tekton.dev/v1beta1/TaskRun":     {new: func() resource { return &pipelinev1beta1.TaskRun{} }},
	"tekton.dev/v1beta1/PipelineRun": {new: func() resource { return &pipelinev1beta1.PipelineRun{} }},
	"tekton.dev/v1beta1/StepAction":  {new: func() resource { return &pipelinev1beta1.StepAction{} }},

	"triggers.tekton.dev/v1beta1/EventListener":         {new: func() resource { return &triggersv1beta1.EventListener{} }, triggers: true},
	"triggers.tekton.dev/v1beta1/TriggerBinding":        {new: func() resource { return &triggersv1beta1.TriggerBinding{} }, triggers: true},
	"triggers.tekton.dev/v1beta1/ClusterTriggerBinding": {new: func() resource { return &triggersv1beta1.ClusterTriggerBinding{} }, triggers: true},
	"triggers.tekton.dev/v1beta1/TriggerTemplate":       {new: func() resource { return &triggersv1beta1.TriggerTemplate{} }, triggers: true},
	"triggers.tekton.dev/v1beta1/Trigger":               {new: func() resource { return &triggersv1beta1.Trigger{} }, triggers: true},

	"triggers.tekton.dev/v1alpha1/EventListener":         {new: func() resource { return &triggersv1alpha1.EventListener{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/TriggerBinding":        {new: func() resource { return &triggersv1alpha1.TriggerBinding{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/ClusterTriggerBinding": {new: func() resource { return &triggersv1alpha1.ClusterTriggerBinding{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/TriggerTemplate":       {new: func() resource { return &triggersv1alpha1.TriggerTemplate{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/Trigger":               {new: func() resource { return &triggersv1alpha1.Trigger{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/Interceptor":           {new: func() resource { return &triggersv1alpha1.Interceptor{} }, triggers: true},
	"triggers.tekton.dev/v1alpha1/ClusterInterceptor":    {new: func() resource { return &triggersv1alpha1.ClusterInterceptor{} }, triggers: true},
}

type options struct {
	allowImages []*regexp.Regexp
	strictKinds bool
}

// report collects output lines and the exit code (the worst seen).
type report struct {
	lines []string
	code  int
	// What was looked at, for the summary line on stderr: files read, objects of a kind it knows, and others.
	files, objects, unknown int
}

func (r *report) problem(format string, args ...any) {
	r.lines = append(r.lines, oneLine(fmt.Sprintf(format, args...)))
	r.code = max(r.code, 1)
}

func (r *report) fatal(format string, args ...any) {
	r.lines = append(r.lines, oneLine(fmt.Sprintf(format, args...)))
	r.code = 2
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func main() {
	opts, args, err := parseArgs(os.Args[1:])
	if errors.Is(err, errHelp) {
		fmt.Print(usage)
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "hat-tekton-validate: %v (see --help)\n", err)
		os.Exit(2)
	}
	r := &report{}
	for _, arg := range args {
		validatePath(arg, opts, r)
	}
	for _, line := range r.lines {
		fmt.Println(line)
	}
	// Read by hat validate: "hat-tekton-validate: checked files=N objects=M unknown=K".
	fmt.Fprintf(os.Stderr, "hat-tekton-validate: checked files=%d objects=%d unknown=%d\n", r.files, r.objects, r.unknown)
	os.Exit(r.code)
}

var errHelp = errors.New("help")

func parseArgs(argv []string) (options, []string, error) {
	var opts options
	var files []string
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case a == "--":
			files = append(files, argv[i+1:]...)
			i = len(argv)
		case a == "-h" || a == "--help" || a == "-help":
			return opts, nil, errHelp
		case name == "--allow-image" || name == "-allow-image":
			if !hasValue {
				if i+1 >= len(argv) {
					return opts, nil, fmt.Errorf("%s needs a REGEX", name)
				}
				i++
				value = argv[i]
			}
			re, err := regexp.Compile(`^(?:` + value + `)$`)
			if err != nil {
				return opts, nil, fmt.Errorf("--allow-image %q: %v", value, err)
			}
			opts.allowImages = append(opts.allowImages, re)
		case a == "--strict-kinds" || a == "-strict-kinds":
			opts.strictKinds = true
		case strings.HasPrefix(a, "-") && a != "-":
			return opts, nil, fmt.Errorf("unknown flag %s", a)
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		return opts, nil, errors.New("no files given")
	}
	return opts, files, nil
}

func validatePath(arg string, opts options, r *report) {
	if arg == "-" {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			r.fatal("-: cannot read standard input: %v", err)
			return
		}
		validateFile("-", data, opts, r)
		return
	}
	info, err := os.Stat(arg)
	if err != nil {
		r.fatal("%s: cannot read: %v", arg, unwrapPathError(err))
		return
	}
	if !info.IsDir() {
		data, err := os.ReadFile(arg)
		if err != nil {
			r.fatal("%s: cannot read: %v", arg, unwrapPathError(err))
			return
		}
		validateFile(arg, data, opts, r)
		return
	}
	var files []string
	err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		r.fatal("%s: cannot read: %v", arg, unwrapPathError(err))
		return
	}
	sort.Strings(files)
	for _, f := range files {
		validatePath(f, opts, r)
	}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// document is one YAML document of a file and the line it starts on (1-based).
type document struct {
	data      []byte
	firstLine int
}

// splitDocuments splits at lines starting with "---", as kubectl's YAML reader does.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	start := 1
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		if bytes.HasPrefix(line, []byte("---")) {
			docs = append(docs, document{data: bytes.Clone(cur.Bytes()), firstLine: start})
			cur.Reset()
			start = i + 2
			continue
		}
		cur.Write(line)
	}
	return append(docs, document{data: cur.Bytes(), firstLine: start})
}

var yamlLineRe = regexp.MustCompile(`\bline (\d+)\b`)

// shiftLines makes the line numbers in a YAML error count from the file's start, not the document's.
func shiftLines(msg string, firstLine int) string {
	return yamlLineRe.ReplaceAllStringFunc(msg, func(m string) string {
		n, err := strconv.Atoi(strings.TrimPrefix(m, "line "))
		if err != nil {
			return m
		}
		return fmt.Sprintf("line %d", n+firstLine-1)
	})
}

func validateFile(file string, data []byte, opts options, r *report) {
	r.files++
	type parsed struct {
		json []byte
		line int
	}
	var docs []parsed
	for _, doc := range splitDocuments(data) {
		if len(bytes.TrimSpace(doc.data)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSONStrict(doc.data)
		if err != nil {
			// A syntax error anywhere makes the whole file unusable, as kubectl apply would.
			r.fatal("%s: %s", file, shiftLines(err.Error(), doc.firstLine))
			return
		}
		if string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		docs = append(docs, parsed{json: j, line: doc.firstLine})
	}
	for _, doc := range docs {
		validateDocument(file, doc.line, doc.json, opts, r)
	}
}

func validateDocument(file string, line int, data []byte, opts options, r *report) {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		r.problem("%s: <document at line %d>: cannot decode: %v", file, line, err)
		return
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		r.problem("%s: <document at line %d>: not a Kubernetes object: expected a mapping, got %s", file, line, jsonType(doc))
		return
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	name := objectName(obj)
	id := fmt.Sprintf("%s/%s", kindOr(kind), name)
	info, known := kinds[apiVersion+"/"+kind]
	if !known {
		r.unknown++
		if opts.strictKinds {
			r.problem("%s: %s: apiVersion: unknown kind %q in apiVersion %q (--strict-kinds)", file, id, kind, apiVersion)
		}
		return
	}

	r.objects++
	res := info.new()
	shape := shapeErrors(obj, reflect.TypeOf(res).Elem(), "")
	typeErrors := false
	for _, e := range shape {
		r.problem("%s: %s: %s: %s", file, id, e.path, e.message)
		typeErrors = typeErrors || e.typeError
	}
	if len(shape) > 0 {
		// The webhook would stop at the decoding error; go on leniently to report more at once.
		if err := json.Unmarshal(data, res); err != nil {
			if !typeErrors { // else already reported, with a better path
				r.problem("%s: %s: %s: cannot decode: %v", file, id, decodeErrorPath(err), err)
			}
			return
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(res); err != nil {
			r.problem("%s: %s: %s: cannot decode: %v", file, id, decodeErrorPath(err), err)
			return
		}
	}

	// The API server names a generateName object before the webhooks see it.
	if m, ok := res.(interface {
		GetName() string
		GetGenerateName() string
		SetName(string)
	}); ok && m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(m.GetGenerateName() + "x7k2q")
	}

	ctx := webhookContext(info.triggers)
	res.SetDefaults(ctx)
	if fe := res.Validate(ctx); fe != nil {
		if errs := fe.Filter(apis.ErrorLevel); errs != nil {
			for _, e := range errs.WrappedErrors() {
				msg := e.Message
				if e.Details != "" {
					msg += " (" + e.Details + ")"
				}
				paths := e.Paths
				if len(paths) == 0 {
					paths = []string{"-"}
				}
				for _, p := range paths {
					if p == "" {
						p = "-"
					}
					r.problem("%s: %s: %s: %s", file, id, p, msg)
				}
			}
		}
		if warns := fe.Filter(apis.WarningLevel); warns != nil {
			for _, w := range warns.WrappedErrors() {
				fmt.Fprintf(os.Stderr, "%s: %s: %s: warning: %s\n", file, id, strings.Join(w.Paths, ", "), oneLine(w.Message))
			}
		}
	}

	for _, p := range extraChecks(apiVersion, kind, obj, opts) {
		r.problem("%s: %s: %s: %s", file, id, p.path, p.message)
	}
}

func kindOr(kind string) string {
	if kind == "" {
		return "<no kind>"
	}
	return kind
}

func objectName(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	if n, ok := meta["name"].(string); ok && n != "" {
		return n
	}
	if n, ok := meta["generateName"].(string); ok && n != "" {
		return n + "*"
	}
	return "<unnamed>"
}

func decodeErrorPath(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	return "-"
}

// webhookContext is the context the webhooks validate a create request in, with the default
// config maps (feature flags, defaults) of Pipelines and Triggers.
func webhookContext(triggers bool) context.Context {
	ctx := context.Background()
	ctx = pipelineconfig.ToContext(ctx, pipelineconfig.FromContextOrDefaults(ctx))
	ctx = triggersconfig.ToContext(ctx, triggersconfig.FromContextOrDefaults(ctx))
	if triggers {
		ctx = contexts.WithUpgradeViaDefaulting(ctx)
	}
	return apis.WithinCreate(ctx)
}

// --- strict decoding with paths ---

type shapeError struct {
	path, message string
	typeError     bool
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// shapeErrors walks decoded JSON alongside the Go type it will be decoded into and lists keys the
// type has no field for and values of the wrong JSON type, with their paths (encoding/json names
// neither precisely). Field names are case-sensitive, as in the API server's strict validation.
func shapeErrors(v any, t reflect.Type, path string) []shapeError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return nil // null, or custom decoding (RawExtension, ParamValue, Quantity, ...): opaque to us
	}
	wrongType := func(want string) []shapeError {
		return []shapeError{{orDash(path), fmt.Sprintf("expected %s, got %s", want, jsonType(v)), true}}
	}
	var out []shapeError
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return wrongType("object")
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				msg := "unknown field"
				for name := range fields {
					if strings.EqualFold(name, k) {
						msg += fmt.Sprintf(" (did you mean %q?)", name)
					}
				}
				out = append(out, shapeError{join(path, k), msg, false})
				continue
			}
			out = append(out, shapeErrors(m[k], ft, join(path, k))...)
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			if _, ok := v.(string); !ok {
				return wrongType("string")
			}
			return nil
		}
		s, ok := v.([]any)
		if !ok {
			return wrongType("array")
		}
		for i, e := range s {
			out = append(out, shapeErrors(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return wrongType("object")
		}
		for k, e := range m {
			out = append(out, shapeErrors(e, t.Elem(), join(path, k))...)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return wrongType("string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return wrongType("boolean")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if _, ok := v.(float64); !ok {
			return wrongType("number")
		}
	}
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orDash(path string) string {
	if path == "" {
		return "-"
	}
	return path
}

// jsonFields maps the JSON names of a struct's fields (embedded structs flattened, as
// encoding/json does) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = ft
	}
	for _, et := range embedded {
		for k, ft := range jsonFields(et) {
			if _, ok := fields[k]; !ok {
				fields[k] = ft
			}
		}
	}
	return fields
}

// --- HAT's checks the webhook lacks ---

type extraProblem struct{ path, message string }

var digestRe = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

func extraChecks(apiVersion, kind string, obj map[string]any, opts options) []extraProblem {
	if !strings.HasPrefix(apiVersion, "tekton.dev/") {
		return nil
	}
	spec, _ := obj["spec"].(map[string]any)
	if spec == nil {
		return nil
	}
	var out []extraProblem
	switch kind {
	case "Task":
		out = checkTaskSpec(spec, "spec", opts)
	case "Pipeline":
		out = checkPipelineSpec(spec, "spec", opts)
	case "TaskRun":
		if ts, ok := spec["taskSpec"].(map[string]any); ok {
			out = checkTaskSpec(ts, "spec.taskSpec", opts)
		}
	case "PipelineRun":
		if ps, ok := spec["pipelineSpec"].(map[string]any); ok {
			out = checkPipelineSpec(ps, "spec.pipelineSpec", opts)
		}
	case "StepAction":
		out = checkContainer(spec, "spec", opts)
	}
	return out
}

func checkPipelineSpec(spec map[string]any, path string, opts options) []extraProblem {
	var out []extraProblem
	for _, list := range []string{"tasks", "finally"} {
		tasks, _ := spec[list].([]any)
		for i, t := range tasks {
			tm, _ := t.(map[string]any)
			if ts, ok := tm["taskSpec"].(map[string]any); ok {
				out = append(out, checkTaskSpec(ts, fmt.Sprintf("%s.%s[%d].taskSpec", path, list, i), opts)...)
			}
		}
	}
	return out
}

func checkTaskSpec(spec map[string]any, path string, opts options) []extraProblem {
	var out []extraProblem
	seen := map[string]int{}
	results, _ := spec["results"].([]any)
	for i, res := range results {
		rm, _ := res.(map[string]any)
		name, _ := rm["name"].(string)
		if name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			out = append(out, extraProblem{fmt.Sprintf("%s.results[%d].name", path, i),
				fmt.Sprintf("duplicate result name %q (also results[%d])", name, first)})
			continue
		}
		seen[name] = i
	}
	if st, ok := spec["stepTemplate"].(map[string]any); ok {
		out = append(out, checkContainer(st, path+".stepTemplate", opts)...)
	}
	for _, list := range []string{"steps", "sidecars"} {
		items, _ := spec[list].([]any)
		for i, it := range items {
			im, _ := it.(map[string]any)
			if im == nil {
				continue
			}
			out = append(out, checkContainer(im, fmt.Sprintf("%s.%s[%d]", path, list, i), opts)...)
		}
	}
	return out
}

func checkContainer(c map[string]any, path string, opts options) []extraProblem {
	var out []extraProblem
	if script, ok := c["script"].(string); ok && strings.Contains(script, "$(params") {
		out = append(out, extraProblem{path + ".script",
			"script interpolates $(params...): pass params to the step as env (e.g. PARAM_X: $(params.x)) and read the variable"})
	}
	// An empty image is the webhook's business (a step using a StepAction has none).
	if image, _ := c["image"].(string); image != "" && !digestRe.MatchString(image) && !allowed(image, opts) {
		out = append(out, extraProblem{path + ".image",
			fmt.Sprintf("image %q is not pinned by digest (@sha256:<64 hex>)", image)})
	}
	return out
}

func allowed(image string, opts options) bool {
	for _, re := range opts.allowImages {
		if re.MatchString(image) {
			return true
		}
	}
	return false
}
