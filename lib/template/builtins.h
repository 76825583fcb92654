// Go text/template's predefined functions (text/template/funcs.go): and
// or not len index print printf println eq ne lt le gt ge html js
// urlquery. `and` and `or` are listed for their arity; the executor
// evaluates them itself, since they short-circuit.
//
// Thread-safety: pure functions.
#ifndef STRATA_TEMPLATE_BUILTINS_H_
#define STRATA_TEMPLATE_BUILTINS_H_

#include <string>
#include <string_view>

#include "template/function.h"

namespace strata::tmpl {

const Functions& Builtins();

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_BUILTINS_H_
