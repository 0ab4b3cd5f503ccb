-- Artel charters in Neovim (0.7 or later): filetype, and the language
-- server `artel lsp` started for every charter buffer. Put this file on
-- your runtimepath (for example ~/.config/nvim/lua/artel.lua) and call
--   require("artel").setup({ cmd = { "artel", "lsp", "--stdio" } })
-- tests/lsp/lsp_test.sh loads this very file.
local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "artel", "lsp", "--stdio" }
  vim.filetype = vim.filetype or {}
  vim.cmd([[autocmd BufRead,BufNewFile *.artel setfiletype artel]])
  local clients = {}
  M.attach = function(buf)
    local root = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":p:h")
    if not clients[root] then
      clients[root] = vim.lsp.start_client({ name = "artel", cmd = cmd, root_dir = root, cmd_env = opts.cmd_env })
    end
    vim.lsp.buf_attach_client(buf, clients[root])
    return clients[root]
  end
  vim.cmd([[autocmd FileType artel lua require("artel").attach(vim.api.nvim_get_current_buf())]])
  return M
end

return M
