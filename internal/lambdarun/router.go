package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Invoker runs one invocation of a function; *Function is one.
type Invoker interface {
	Invoke(ctx context.Context, payload any) (json.RawMessage, error)
}

var _ Invoker = (*Function)(nil)

// Invocation is one request the router received.
type Invocation struct {
	// Function is the function name of the request path.
	Function string
	Payload  json.RawMessage
}

// Router is a Lambda-API-shaped front door for functions under the emulator: it answers
// the SDK's Invoke (POST /2015-03-31/functions/{name}/invocations, RequestResponse) as the
// Lambda service does, so that code calling lambda.Client.Invoke — the curfew CLI — reaches
// a local function through AWS_ENDPOINT_URL_LAMBDA.
type Router struct {
	functions map[string]Invoker
	mux       *http.ServeMux

	mu    sync.Mutex
	calls []Invocation
}

// NewRouter routes each function name (e.g. curfew-restart) to its invoker.
func NewRouter(functions map[string]Invoker) *Router {
	r := &Router{functions: functions, mux: http.NewServeMux()}
	r.mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", r.invoke)
	return r
}

// ServeHTTP answers Invoke requests; anything else is a 404 as Lambda answers it.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mux.ServeHTTP(w, req)
}

// Calls returns the invocations received so far, in order.
func (r *Router) Calls() []Invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Invocation(nil), r.calls...)
}

func (r *Router) invoke(w http.ResponseWriter, req *http.Request) {
	// The SDK sends a name, a partial or a full ARN; the function name is the last part.
	name := req.PathValue("name")
	if i := strings.LastIndex(name, ":function:"); i >= 0 {
		name = strings.SplitN(name[i+len(":function:"):], ":", 2)[0]
	}
	payload, err := io.ReadAll(req.Body)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	if t := req.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException",
			fmt.Sprintf("invocation type %s: only RequestResponse runs under the local emulator", t))
		return
	}
	r.mu.Lock()
	r.calls = append(r.calls, Invocation{Function: name, Payload: payload})
	r.mu.Unlock()
	f, ok := r.functions[name]
	if !ok {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	answer, err := f.Invoke(req.Context(), payload)
	var fe *FunctionError
	switch {
	case errors.As(err, &fe):
		body, _ := json.Marshal(fe)
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		answer = body
	case err != nil:
		apiError(w, http.StatusInternalServerError, "ServiceException", fmt.Sprintf("the local emulator of %s failed: %v", name, err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	_, _ = w.Write(answer)
}

// apiError answers as the Lambda service answers an API error: the code in
// X-Amzn-ErrorType and a JSON body with Type and Message.
func apiError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"Type": "User", "Message": message})
	_, _ = w.Write(body)
}
