-- Drives `artel lsp` from Neovim's own LSP client, headless: the test
-- runner (lsp_test.sh) checks what this writes to $OUT.
local artel, file, out = os.getenv("ARTEL"), os.getenv("CHARTER"), os.getenv("OUT")
local results = {}
-- The editor settings the project ships (editors/neovim/artel.lua).
package.path = os.getenv("EDITORS") .. "/neovim/?.lua;" .. package.path
require("artel").setup({ cmd = { artel, "lsp", "--stdio" }, cmd_env = { ARTEL_STDLIB = os.getenv("ARTEL_STDLIB") } })
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
results.filetype = vim.bo[buf].filetype
vim.wait(5000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 20)
local client_id = (vim.lsp.buf_get_clients(buf)[1] or {}).id or -1
results.initialized = vim.wait(10000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.initialized
end, 20)
vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
local function diagnostics()
  return vim.tbl_map(function(d)
    return { line = d.lnum, col = d.col, message = d.message, severity = d.severity }
  end, vim.diagnostic.get(buf))
end
results.diagnostics = diagnostics()
local uri = vim.uri_from_bufnr(buf)
local function request(method, line, character)
  local params = { textDocument = { uri = uri } }
  if line then params.position = { line = line, character = character } end
  local answers = vim.lsp.buf_request_sync(buf, method, params, 10000)
  if not answers then return vim.NIL end
  for _, a in pairs(answers) do
    if a.error then return { error = a.error } end
    return a.result or vim.NIL
  end
  return vim.NIL
end
-- Lines and columns count from 0, as LSP does.
results.hover_parameter = request("textDocument/hover", 11, 24)   -- `fee` in the require of `pay`
results.hover_rule = request("textDocument/hover", 10, 8)         -- `pay`
results.hover_assembly = request("textDocument/hover", 19, 8)     -- `spend`
results.hover_library = request("textDocument/hover", 12, 6)      -- `pay_out`
results.hover_article = request("textDocument/hover", 6, 2)       -- the heading of article 1
results.definition_parameter = request("textDocument/definition", 20, 24)
results.definition_library = request("textDocument/definition", 12, 6)
results.symbols = request("textDocument/documentSymbol")
results.completion = request("textDocument/completion", 11, 4)
-- Typing a mistake: the diagnostics follow the buffer.
vim.api.nvim_buf_set_lines(buf, 11, 12, false, { "    whlie amount > fee {" })
results.edited = vim.wait(10000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.message:find("while", 1, true) then return true end
  end
  return false
end, 20)
results.diagnostics_after_edit = diagnostics()
local f = io.open(out, "w")
f:write(vim.fn.json_encode(results))
f:close()
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd("qa!")
