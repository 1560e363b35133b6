package demo

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stack is one stack of the cloud assembly and where it deploys.
type stack struct {
	Name    string
	Account string
	Region  string
	// Resources are the template's resources by logical id.
	Resources map[string]resource
}

// resource is one resource of a template.
type resource struct {
	Type       string          `json:"Type"`
	Properties json.RawMessage `json:"Properties"`
}

// readAssembly reads the stacks of a synthesised cloud assembly (cdk.out), in manifest order.
func readAssembly(dir string) ([]stack, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("read the cloud assembly: %w", err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			Environment string `json:"environment"`
			Properties  struct {
				TemplateFile string `json:"templateFile"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("decode %s/manifest.json: %w", dir, err)
	}
	var stacks []stack
	for _, name := range slices.Sorted(maps.Keys(manifest.Artifacts)) {
		a := manifest.Artifacts[name]
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		env, ok := strings.CutPrefix(a.Environment, "aws://")
		account, region, ok2 := strings.Cut(env, "/")
		if !ok || !ok2 {
			return nil, fmt.Errorf("stack %s: environment %q is not aws://ACCOUNT/REGION", name, a.Environment)
		}
		tdata, err := os.ReadFile(filepath.Join(dir, a.Properties.TemplateFile))
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		var t struct {
			Resources map[string]resource `json:"Resources"`
		}
		if err := json.Unmarshal(tdata, &t); err != nil {
			return nil, fmt.Errorf("stack %s: decode the template: %w", name, err)
		}
		stacks = append(stacks, stack{Name: name, Account: account, Region: region, Resources: t.Resources})
	}
	if len(stacks) == 0 {
		return nil, fmt.Errorf("the cloud assembly in %s holds no stack", dir)
	}
	return stacks, nil
}

// skipped lists the template's resources that the deployed stack lacks (deployed holds
// the logical ids CloudFormation reports), by logical id.
func (s stack) skipped(deployed []string) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(s.Resources)) {
		if !slices.Contains(deployed, id) {
			out = append(out, id)
		}
	}
	return out
}

// physical resolves what CloudFormation's intrinsic functions need of a resource: its
// physical id (Ref) and its ARN (Fn::GetAtt Arn).
type physical struct {
	stack stack
	// ids are physical ids by logical id.
	ids map[string]string
}

// resolve replaces Ref, Fn::GetAtt Arn and Fn::Join in v (decoded JSON) by their values.
func (p physical) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Ref"].(string); ok {
				return p.ref(ref)
			}
			if att, ok := x["Fn::GetAtt"].([]any); ok && len(att) == 2 {
				id, _ := att[0].(string)
				name, _ := att[1].(string)
				return p.getAtt(id, name)
			}
			if join, ok := x["Fn::Join"].([]any); ok && len(join) == 2 {
				return p.join(join)
			}
		}
		out := map[string]any{}
		for k, e := range x {
			r, err := p.resolve(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := p.resolve(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (p physical) ref(id string) (string, error) {
	switch id {
	case "AWS::AccountId":
		return p.stack.Account, nil
	case "AWS::Region":
		return p.stack.Region, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return p.stack.Name, nil
	}
	v, ok := p.ids[id]
	if !ok {
		return "", fmt.Errorf("Ref %s: the stack has no such resource", id)
	}
	return v, nil
}

func (p physical) getAtt(id, name string) (string, error) {
	v, err := p.ref(id)
	if err != nil {
		return "", err
	}
	if name != "Arn" {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: only Arn is resolved", id, name)
	}
	s := p.stack
	switch t := s.Resources[id].Type; t {
	case "AWS::Lambda::Function":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.Region, s.Account, v), nil
	case "AWS::IAM::Role":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", s.Account, v), nil
	case "AWS::SQS::Queue":
		// The physical id of a queue is its URL; its name is the last part.
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.Region, s.Account, v[strings.LastIndex(v, "/")+1:]), nil
	default:
		return "", fmt.Errorf("Fn::GetAtt %s.Arn: type %s is not resolved", id, t)
	}
}

func (p physical) join(args []any) (string, error) {
	sep, _ := args[0].(string)
	parts, ok := args[1].([]any)
	if !ok {
		return "", fmt.Errorf("Fn::Join: want a list of parts")
	}
	var out []string
	for _, part := range parts {
		r, err := p.resolve(part)
		if err != nil {
			return "", err
		}
		s, ok := r.(string)
		if !ok {
			return "", fmt.Errorf("Fn::Join: part %v is not a string", r)
		}
		out = append(out, s)
	}
	return strings.Join(out, sep), nil
}

// properties resolves a resource's properties and decodes them into v.
func (p physical) properties(id string, v any) error {
	var raw any
	if props := p.stack.Resources[id].Properties; len(props) > 0 {
		if err := json.Unmarshal(props, &raw); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
	}
	resolved, err := p.resolve(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	data, err := json.Marshal(resolved)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return nil
}
