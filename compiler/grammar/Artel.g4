// The Artel charter language.
//
// The parser builds a syntax tree only: names, types, units and rounding are
// checked by the next stage (compiler/typed). Every keyword has an English and
// a Russian spelling that lex to the same token, so a charter written with
// Russian keywords parses to exactly the same tree as its English twin.
grammar Artel;

// ---------------------------------------------------------------- files

file
    : charterFile EOF
    | libraryFile EOF
    ;

charterFile
    : CHARTER STRING VERSION INT headerItem* importDecl* article*
    ;

libraryFile
    : LIBRARY ident importDecl* libraryItem*
    ;

headerItem
    : CURRENCY ident SCALE INT          # currencyHeader
    | ROUNDING roundingMode             # roundingHeader
    | PERIOD periodUnit                 # periodHeader
    ;

importDecl
    : IMPORT ident
    ;

roundingMode
    : DOWN | UP | HALF_EVEN
    ;

periodUnit
    : WEEK | MONTH
    ;

// ---------------------------------------------------------------- articles

article
    : ARTICLE articleNumber langString+ '{' articleItem* '}'
    ;

articleNumber
    : INT
    | DECIMAL
    ;

// A string with an optional language tag: `"Demurrage"`, `ru "Демерредж"`.
langString
    : ident? STRING
    ;

articleItem
    : TEXT langString                   # textItem
    | paramDecl                         # paramItem
    | stateDecl                         # stateItem
    | accountDecl                       # accountItem
    | recordDecl                        # recordItem
    | ruleDecl                          # ruleItem
    | periodicDecl                      # periodicItem
    | clauseDecl                        # clauseItem
    ;

libraryItem
    : recordDecl
    | clauseDecl
    ;

paramDecl
    : PARAM ident ':' type '=' expr
    ;

stateDecl
    : STATE ident ':' type
    ;

accountDecl
    : ACCOUNT ident ('[' type ']')?
    ;

recordDecl
    : RECORD ident '{' field (',' field)* ','? '}'
    ;

field
    : ident ':' type
    ;

ruleDecl
    : RULE ident '(' paramList? ')' authClause? block
    ;

authClause
    : BY authTerm (AND authTerm)*
    ;

authTerm
    : MEMBER                            # authMember
    | COOPERATIVE                       # authCooperative
    | INT GUARANTOR (OF ident)?         # authGuarantors
    | ASSEMBLY QUORUM expr              # authAssembly
    | ident                             # authUnknown
    ;

// `every week for each member m holding b { ... }` runs for every share
// account; the ledger may run it lazily, when the account is next touched.
periodicDecl
    : EVERY periodUnit (FOR EACH MEMBER ident HOLDING ident)? block
    ;

clauseDecl
    : CLAUSE ident '(' paramList? ')' ('->' type)? block
    ;

paramList
    : formal (',' formal)*
    ;

formal
    : ident ':' type
    ;

type
    : MONEY                             # moneyType
    | RATE                              # rateType
    | COUNT                             # countType
    | BOOL                              # boolType
    | PERIOD                            # periodType
    | MEMBER                            # memberType
    | COOPERATIVE                       # cooperativeType
    | GUARANTOR                         # guarantorType
    | ACCOUNT                           # accountType
    | MAP type '->' type                # mapType
    | ident                             # namedType
    ;

// ---------------------------------------------------------------- statements

block
    : '{' statement* '}'
    ;

statement
    : LET ident (':' type)? '=' expr                            # letStmt
    | lvalue '=' expr                                           # assignStmt
    | REQUIRE expr ELSE STRING                                  # requireStmt
    | TRANSFER expr FROM expr TO expr                           # transferStmt
    | SPLIT expr FROM expr '{' splitPart* remainderPart? '}'    # splitStmt
    | IF expr block (ELSE IF expr block)* (ELSE block)?         # ifStmt
    | FOR EACH? ident IN expr block                             # forStmt
    | EMIT ident '(' argList? ')'                               # emitStmt
    | REMOVE lvalue                                             # removeStmt
    | RETURN expr?                                              # returnStmt
    | ident '(' argList? ')'                                    # callStmt
    ;

lvalue
    : ident ('[' expr ']')? ('.' ident)?
    ;

splitPart
    : expr TO expr                                  # fixedPart
    | expr AMONG ident IN expr PRO_RATA expr TO expr # proRataPart
    ;

remainderPart
    : REMAINDER TO expr
    ;

// ---------------------------------------------------------------- expressions

expr
    : primary                                       # primaryExpr
    | expr '.' ident                                # fieldExpr
    | expr '[' expr ']'                             # indexExpr
    | op=('-' | NOT) expr                           # unaryExpr
    | expr op=('*' | '/') expr                      # mulExpr
    | expr ROUNDED roundingMode                     # roundedExpr
    | expr op=('+' | '-') expr                      # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr # compareExpr
    | expr AND expr                                 # andExpr
    | expr OR expr                                  # orExpr
    ;

primary
    : INT                                           # intLit
    | number '%'                                    # percentLit
    | number ident                                  # moneyLit
    | DECIMAL                                       # decimalLit
    | (TRUE | FALSE)                                # boolLit
    | MEMBERS (OF expr)?                            # membersExpr
    | COOPERATIVES                                  # cooperativesExpr
    | GUARANTOR OF expr                             # guarantorsExpr
    | ident '(' argList? ')'                        # callExpr
    | ident                                         # nameExpr
    | '(' expr ')'                                  # parenExpr
    ;

number
    : INT
    | DECIMAL
    ;

argList
    : expr (',' expr)*
    ;

// Identifiers; a few words are keywords only in one position and stay usable
// as names elsewhere.
ident
    : IDENT
    ;

// ---------------------------------------------------------------- lexer

CHARTER     : 'charter' | 'устав' ;
LIBRARY     : 'library' | 'библиотека' ;
VERSION     : 'version' | 'версия' ;
CURRENCY    : 'currency' | 'валюта' ;
SCALE       : 'scale' | 'знаков' ;
ROUNDING    : 'rounding' | 'округление' ;
ROUNDED     : 'rounded' | 'округляя' ;
DOWN        : 'down' | 'вниз' ;
UP          : 'up' | 'вверх' ;
HALF_EVEN   : 'half_even' | 'к_чётному' | 'к_четному' ;
PERIOD      : 'period' | 'период' ;
WEEK        : 'week' | 'неделю' | 'неделя' ;
MONTH       : 'month' | 'месяц' ;
EVERY       : 'every' | 'каждую' | 'каждый' ;
HOLDING     : 'holding' | 'имеющего' ;
IMPORT      : 'import' | 'использовать' ;
ARTICLE     : 'article' | 'статья' ;
TEXT        : 'text' | 'текст' ;
PARAM       : 'parameter' | 'param' | 'параметр' ;
STATE       : 'state' | 'состояние' ;
ACCOUNT     : 'account' | 'счёт' | 'счет' ;
RECORD      : 'record' | 'запись' ;
RULE        : 'rule' | 'правило' ;
CLAUSE      : 'clause' | 'пункт' ;
BY          : 'by' | 'утверждает' ;
GUARANTOR   : 'guarantors' | 'guarantor' | 'поручители' | 'поручителя' | 'поручителей' | 'поручитель' ;
MEMBERS     : 'members' | 'участники' | 'участников' ;
MEMBER      : 'member' | 'участник' ;
COOPERATIVES: 'cooperatives' | 'кооперативы' | 'кооперативов' ;
COOPERATIVE : 'cooperative' | 'кооператив' ;
ASSEMBLY    : 'assembly' | 'собрание' ;
QUORUM      : 'quorum' | 'кворум' ;
OF          : 'of' | 'у' ;
MONEY       : 'money' | 'деньги' ;
RATE        : 'rate' | 'ставка' ;
COUNT       : 'count' | 'количество' ;
BOOL        : 'bool' | 'логическое' ;
MAP         : 'map' | 'таблица' ;
LET         : 'let' | 'пусть' ;
REQUIRE     : 'require' | 'требуется' ;
ELSE        : 'else' | 'иначе' ;
IF          : 'if' | 'если' ;
FOR         : 'for' | 'для' ;
EACH        : 'each' | 'каждого' ;
IN          : 'in' | 'среди' ;
TRANSFER    : 'transfer' | 'перевести' ;
SPLIT       : 'split' | 'разделить' ;
FROM        : 'from' | 'из' | 'со' ;
TO          : 'to' | 'в' | 'на' ;
AMONG       : 'among' | 'между' ;
PRO_RATA    : 'pro' [ \t]+ 'rata' | 'пропорционально' ;
REMAINDER   : 'remainder' | 'остаток' ;
EMIT        : 'emit' | 'событие' ;
REMOVE      : 'remove' | 'удалить' ;
RETURN      : 'return' | 'вернуть' ;
AND         : 'and' | 'и' ;
OR          : 'or' | 'или' ;
NOT         : 'not' | 'не' ;
TRUE        : 'true' | 'истина' ;
FALSE       : 'false' | 'ложь' ;

DECIMAL     : INT_PART '.' DIGITS ;
INT         : INT_PART ;
fragment DIGITS : [0-9] ('_'? [0-9])* ;
// Thousands as Russian lawyers write them: `10 000`, a space (or a no-break
// space) between groups of exactly three digits. No construct puts two
// numbers side by side, so this is never ambiguous.
fragment INT_PART : DIGITS | [0-9] [0-9]? [0-9]? (GROUP_SEP [0-9] [0-9] [0-9])+ ;
fragment GROUP_SEP : ' ' | '\u00A0' | '\u202F' ;
// A decimal comma (`1,5`): one token the parser never accepts, so that the
// error says "write 1.5" instead of reading two arguments.
DECIMAL_COMMA : DIGITS ',' [0-9]+ ;

IDENT       : [\p{L}_] [\p{L}\p{N}_]* ;

// Strings may span lines (legal text); escapes: \" \\ \n \t.
STRING      : '"' ( '\\' ["\\nt] | ~["\\] )* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\u00A0\uFEFF]+ -> skip ;

// Anything else is one bad character; the parser reports it with its place.
BAD_CHAR    : . ;
