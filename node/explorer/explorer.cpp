#include "explorer.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "node/state.h"
#include "node/store.h"

namespace artel::node::explorer {

const std::map<std::string, std::string_view>& embedded_assets();  // explorer_assets.cpp, generated

namespace {

using json = nlohmann::json;

std::string content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

HttpReply error(unsigned status, std::string_view code, std::string_view message) {
  HttpReply r{status, "application/json", json{{"error", {{"code", code}, {"message", message}}}}.dump() + "\n", {}};
  r.error_code = code;
  return r;
}

// Whether a page's subject exists: the page is the same application either
// way, but its status says so (404 for an unknown cooperative, charter
// version or member) for crawlers, scripts and tests.
bool page_exists(Node& node, std::string_view path) {
  auto snapshot = node.ledger().store().snapshot();
  Overlay view(*snapshot);
  State st(view);
  auto parts = [](std::string_view p) {
    std::vector<std::string_view> out;
    while (!p.empty()) {
      const auto slash = p.find('/');
      out.push_back(p.substr(0, slash));
      if (slash == std::string_view::npos) break;
      p.remove_prefix(slash + 1);
    }
    return out;
  }(path.substr(1));
  if (parts.empty()) return false;
  if (parts[0] == "charter" && (parts.size() == 2 || parts.size() == 3)) {
    const auto coop = parse_u64(parts[1]);
    if (!coop || (*coop != 0 && !st.coop(*coop))) return false;
    const CharterSlot slot = st.charter_slot(*coop);
    if (slot.latest == 0) return false;
    if (parts.size() == 2) return true;
    const auto v = parse_u64(parts[2]);
    return v && *v >= 1 && *v <= slot.latest;
  }
  if (parts[0] == "member" && parts.size() == 2) {
    const auto m = parse_u64(parts[1]);
    return m && st.member(*m).has_value();
  }
  if (parts[0] == "network" && parts.size() == 2) {
    const auto c = parse_u64(parts[1]);
    return c && *c != 0 && st.coop(*c).has_value();
  }
  return false;
}

std::mutex graphviz_mutex;  // Graphviz keeps global state: one layout at a time

}  // namespace

std::optional<std::string> network_svg(const json& graph, std::string& why) {
  std::ostringstream dot;
  const std::uint64_t centre = graph.value("member", std::uint64_t{0});
  dot << "digraph network {\n"
         "  rankdir=BT; bgcolor=\"transparent\";\n"
         "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", color=\"#4a6fa5\", "
         "fontname=\"DejaVu Sans\", fontsize=11];\n"
         "  edge [color=\"#4a6fa5\", arrowsize=0.7];\n";
  for (const auto& n : graph.at("nodes")) {
    const std::uint64_t m = n.at("member").get<std::uint64_t>();
    dot << "  m" << m << " [id=\"m" << m << "\", label=\"member " << m << "\\nvouches for "
        << n.value("vouches_for", std::uint64_t{0}) << "\", href=\"/member/" << m << "\", target=\"_top\"";
    if (m == centre) dot << ", fillcolor=\"#ffd966\", penwidth=2";
    dot << "];\n";
  }
  for (const auto& e : graph.at("edges")) {
    const std::uint64_t g = e.at("guarantor").get<std::uint64_t>(), m = e.at("member").get<std::uint64_t>();
    dot << "  m" << g << " -> m" << m << " [id=\"e" << g << "_" << m << "\"];\n";
  }
  dot << "}\n";
  const std::string text = dot.str();
  std::lock_guard lock(graphviz_mutex);
  static GVC_t* gvc = gvContext();
  if (gvc == nullptr) {
    why = "Graphviz could not start";
    return std::nullopt;
  }
  Agraph_t* g = agmemread(text.c_str());
  if (g == nullptr) {
    why = "Graphviz could not read the graph";
    return std::nullopt;
  }
  std::optional<std::string> svg;
  if (gvLayout(gvc, g, "dot") == 0) {
    char* data = nullptr;
    unsigned int len = 0;
    if (gvRenderData(gvc, g, "svg", &data, &len) == 0 && data != nullptr) svg.emplace(data, len);
    if (data != nullptr) gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  if (!svg) why = "Graphviz could not lay out the graph (is its dot plugin installed?)";
  return svg;
}

Site make_site(const Options& options) {
  const auto& assets = embedded_assets();
  for (const char* must : {"index.html", "app.js", "style.css"})
    if (!assets.count(must)) throw std::runtime_error(std::string("the explorer was built without ") + must);
  // The browser build of Debian's node-tweetnacl, read once.
  auto nacl = std::make_shared<std::string>();
  {
    std::ifstream in(options.tweetnacl.empty() ? "/usr/share/nodejs/tweetnacl/nacl-fast.min.js" : options.tweetnacl,
                     std::ios::binary);
    if (in) nacl->assign(std::istreambuf_iterator<char>(in), {});
  }
  return [&assets, nacl](Node& node, const ApiRequest& req, std::string_view path,
                         std::string_view query) -> std::optional<HttpReply> {
    auto page = [&](unsigned status) {
      return HttpReply{status, "text/html; charset=utf-8", std::string(assets.at("index.html")), {}};
    };
    if (path == "/" || path == "/index.html") return page(200);
    if (path.starts_with("/assets/")) {
      const std::string name(path.substr(8));
      if (name == "nacl-fast.min.js") {
        if (nacl->empty())
          return error(404, "not_found", "the node has no tweetnacl (Debian package node-tweetnacl): pages cannot sign");
        return HttpReply{200, content_type(name), *nacl, {}};
      }
      auto it = assets.find(name);
      if (it == assets.end() || name == "index.html") return std::nullopt;
      return HttpReply{200, content_type(name), std::string(it->second), {}};
    }
    if (path == "/graph.svg") {
      const std::string coop = query_param(query, "coop"), member = query_param(query, "member");
      const std::string levels = query_param(query, "levels");
      if (!parse_u64(coop) || !parse_u64(member) || (!levels.empty() && !parse_u64(levels)))
        return error(400, "bad_query", "graph.svg needs coop=N and member=M (and levels=K)");
      // The same query as any API client's, through the API's own handler.
      const std::string target = "/v1/networks/" + coop + "/graph?member=" + member + "&limit=200" +
                                 (levels.empty() ? "" : "&levels=" + levels);
      HttpReply api = handle_request(node, ApiRequest{"GET", target, {}, "application/json", {}, req.public_reads,
                                                      nullptr});
      if (api.status != 200) return api;
      std::string why;
      auto svg = network_svg(json::parse(api.body), why);
      if (!svg) return error(500, "graph_failed", why);
      return HttpReply{200, "image/svg+xml", std::move(*svg), {}};
    }
    if (path.find('.') != std::string_view::npos) return std::nullopt;  // no such file
    // Every other path is a page of the application; its status says
    // whether what it names exists.
    return page(page_exists(node, path) ? 200 : 404);
  };
}

}  // namespace artel::node::explorer
