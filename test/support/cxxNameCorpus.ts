/**
 * Generates C++ translation units that make clang emit a wide variety of Itanium-mangled names
 * (templates, substitutions, lambdas, ABI tags, operators, thunks, vtables, IOKit-style classes
 * with the OSMetaClass macros expanded by hand), compiles them for Darwin with clang-16 and
 * returns the symbols `llvm-nm-16 -j` lists. Used by the demangler's fidelity test and benchmark.
 * No system headers are used: a small fake `std` (without libc++'s inline namespace) makes clang
 * use the `St`/`Sa`/`Ss`/`Si`/`So`/`Sd` abbreviations.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PRELUDE = String.raw`
namespace std {
  class type_info;
  template<class C> struct char_traits {};
  template<class T> struct allocator { allocator(); };
  template<class C, class Tr = char_traits<C>, class A = allocator<C>> struct basic_string { basic_string(); ~basic_string(); unsigned long size() const; };
  typedef basic_string<char> string;
  template<class C, class Tr = char_traits<C>> struct basic_istream { virtual ~basic_istream(); };
  template<class C, class Tr = char_traits<C>> struct basic_ostream { virtual ~basic_ostream(); };
  template<class C, class Tr = char_traits<C>> struct basic_iostream : basic_istream<C, Tr>, basic_ostream<C, Tr> {};
  typedef basic_istream<char> istream; typedef basic_ostream<char> ostream; typedef basic_iostream<char> iostream;
  template<class T, class A = allocator<T>> struct vector { T* data(); };
  template<class A, class B> struct pair { A first; B second; };
  template<class T> struct less {};
  template<class K, class V, class C = less<K>, class A = allocator<pair<const K, V>>> struct map {};
  template<class T> struct unique_ptr { T* p; };
  template<class F> struct function;
  template<class R, class... A> struct function<R(A...)> { R operator()(A...) const; };
  typedef decltype(nullptr) nullptr_t;
  inline namespace __1 { template<class T> struct optional { T v; }; }
}
struct Foo { int x; int get() const; Foo* next; };
namespace ns { struct Bar { double d; }; namespace inner { template<class T> struct Baz { T t; }; } }
namespace { struct Anon { int a; }; }
enum class Color : int { Red = 1, Green = 2 };
union Un { int i; float f; };
struct [[gnu::abi_tag("v1")]] Tagged { int t; };
typedef float float4 __attribute__((ext_vector_type(4)));
`;

/** Parameter types used combinatorially (each must be usable as a by-value parameter). */
const TYPES = [
  "int", "char", "unsigned long", "long long", "double", "float", "bool", "wchar_t", "char16_t", "char32_t",
  "short", "unsigned char", "signed char", "long double", "const char*", "int*", "int&", "int&&", "const int&",
  "volatile int*", "int**", "void*", "std::string", "std::vector<int>", "std::map<int, std::string>",
  "std::pair<int, char>", "std::unique_ptr<Foo>", "std::function<void(int)>", "int(*)(int)", "void(*)()",
  "int Foo::*", "void (Foo::*)(int) const", "int(&)[3]", "int(*)[4]", "std::istream&", "std::ostream&",
  "std::iostream&", "std::allocator<int>", "std::basic_string<wchar_t>", "Foo", "ns::Bar", "ns::inner::Baz<int>",
  "std::nullptr_t", "__int128", "Anon", "Color", "Un", "Tagged", "float4", "const Foo&", "Foo const* volatile*",
  "std::optional<ns::Bar>", "_Complex double", "int* __restrict", "void (*)(int) noexcept", "ns::inner::Baz<std::string>&&",
];

function signatures(): string {
  const out: string[] = [];
  TYPES.forEach((a, i) => {
    out.push(`using T${i} = ${a};`);
  });
  TYPES.forEach((_, i) => {
    TYPES.forEach((_b, j) => {
      if ((i * 7 + j * 3) % 2 === 0) out.push(`void sig${i}_${j}(T${i}, T${j}) {}`);
    });
    out.push(`T${i}& ret${i}(T${i}&, const T${i}&, T${i}&&) { throw 0; }`);
    out.push(`namespace ns { namespace inner { void f${i}(T${i}, ns::Bar, T${i}) {} } }`);
  });
  return out.join("\n");
}

const TARGS = ["int", "char", "double", "std::string", "Foo", "ns::Bar", "std::vector<int>", "int*", "const char*",
  "std::pair<int, std::string>", "Anon", "Color", "unsigned long", "ns::inner::Baz<Foo>", "Tagged"];

function templates(): string {
  const out = [String.raw`
template<class T, class U> struct Pair2 {
  T a; U b;
  Pair2(); Pair2(const Pair2&); ~Pair2();
  virtual T first() const; U second() &&; void set(T&&, const U&) &;
  template<class V> V conv(V) const;
  operator T() const;
  static int count;
  bool operator==(const Pair2&) const; Pair2& operator=(const Pair2&);
  struct Inner { void g(T, U); };
};
template<class T, class U> Pair2<T, U>::Pair2() {}
template<class T, class U> Pair2<T, U>::Pair2(const Pair2&) {}
template<class T, class U> Pair2<T, U>::~Pair2() {}
template<class T, class U> T Pair2<T, U>::first() const { return a; }
template<class T, class U> U Pair2<T, U>::second() && { return b; }
template<class T, class U> void Pair2<T, U>::set(T&&, const U&) & {}
template<class T, class U> template<class V> V Pair2<T, U>::conv(V v) const { return v; }
template<class T, class U> Pair2<T, U>::operator T() const { return a; }
template<class T, class U> int Pair2<T, U>::count = 0;
template<class T, class U> bool Pair2<T, U>::operator==(const Pair2&) const { return true; }
template<class T, class U> Pair2<T, U>& Pair2<T, U>::operator=(const Pair2&) { return *this; }
template<class T, class U> void Pair2<T, U>::Inner::g(T, U) {}
template<class T> T identity(T t) { return t; }
template<class... Ts> void variadic(Ts...) {}
template<class T, int N> int arr(T (&)[N]) { return N; }
template<class T> T* ptrs(T**, const T*, T* const*) { return 0; }
template<template<class, class> class TT, class A> void tt(TT<A, A>, TT<A, int>) {}
template<class T, class... R> std::pair<T, int> packfirst(T, R&&...) { return {}; }
template<int N, bool B, char C, long L> int nttp() { return N; }
template<Color C> int enumtp() { return 0; }
template<int* P> int ptrtp() { return 0; }
template<int Foo::* M> int memtp() { return 0; }
template<void (*F)()> int fntp() { return 0; }
template<class T, T V> T valtp() { return V; }
int gInt; void gFn() {}
`];
  TARGS.forEach((t, k) => out.push(`using A${k} = ${t};`));
  TARGS.forEach((_t, ia) => {
    const a = `A${ia}`;
    TARGS.forEach((_u, ib) => {
      if (ib % 3 !== ia % 3 && ia !== ib) return;
      const b = `A${ib}`;
      out.push(`template struct Pair2<${a}, ${b}>;`);
      out.push(`template int Pair2<${a}, ${b}>::conv<int>(int) const;`);
      out.push(`template void variadic<${a}, ${b}, ${a}>(${a}, ${b}, ${a});`);
      out.push(`template std::pair<${a}, int> packfirst<${a}, ${b}&>(${a}, ${b}&);`);
    });
    out.push(`template ${a} identity<${a}>(${a});`);
    out.push(`template ${a}& identity<${a}&>(${a}&);`);
    out.push(`template void variadic<${a}>(${a});`);
    out.push(`template int arr<${a}, 5>(${a} (&)[5]);`);
    out.push(`template ${a}* ptrs<${a}>(${a}**, const ${a}*, ${a}* const*);`);
    out.push(`template void tt<std::pair, ${a}>(std::pair<${a}, ${a}>, std::pair<${a}, int>);`);
  });
  out.push("template void variadic<>();");
  for (const [n, b, c, l] of [[0, "true", "'a'", "-5L"], [7, "false", "'\\0'", "100000000000L"], [-3, "true", "'z'", "0L"]]) {
    out.push(`template int nttp<${n}, ${b}, ${c}, ${l}>();`);
  }
  out.push("template int enumtp<Color::Red>();", "template int enumtp<(Color)7>();", "template int ptrtp<&gInt>();",
    "template int ptrtp<nullptr>();", "template int memtp<&Foo::x>();", "template int fntp<&gFn>();",
    "template unsigned valtp<unsigned, 3u>();", "template bool valtp<bool, false>();", "template char valtp<char, 'q'>();",
    "template unsigned long long valtp<unsigned long long, 18446744073709551615ull>();");
  return out.join("\n");
}

/** Expressions used in trailing return types, so that they are mangled. `t` is the parameter. */
const EXPRS = [
  "t + 1", "t * t - 2", "-t", "!t", "~t", "t << 2", "t >> 1", "(t > 1)", "(t, t)", "t ? t : t", "sizeof(T)",
  "alignof(T)", "sizeof(t)", "static_cast<long>(t)", "(long)t", "T(t)", "T{t}", "&t", "*&t", "t++", "--t",
  "t += 1", "t == t && t != 0", "t % 3 | 4 ^ t & 1", "t <= t || t >= t", "+t", "t / 2", "t = t", "t -= 1",
  "t *= 2", "t /= 2", "t %= 2", "t &= 1", "t |= 1", "t ^= 1", "t <<= 1", "t >>= 1", "reinterpret_cast<char*>(&t)",
  "const_cast<T*>(&t)", "noexcept(t + 1)", "helper(t)", "helper(t, 2)", "::helper(t)", "ns2::helper2(t)",
  "new T(t)", "new T[3]", "::new T", "t < t", "(t + 1) * 2", "t - (1 - t)", "(t, 1), 2",
  "throw 1", "typeid(t)", "typeid(T)", "decltype(t)(t)", "helper<T>(t)", "ns2::Holder<T>::value[1]", "ns2::Holder<T>::template get<int>()",
  "ns2::Holder<T>{}.member", "(&ns2::Holder<T>::value)[0]", "T() ? t : 1",
];

function expressions(): string {
  const out = [String.raw`
template<class T> T helper(T);
template<class T> T helper(T, int);
namespace ns2 { template<class T> T helper2(T); template<class T> struct Holder { static T value[2]; int member; template<class U> static U get(); }; }
`];
  EXPRS.forEach((e, i) => {
    out.push(`template<class T> auto ex${i}(T t) -> decltype(${e}) { throw 0; }`);
    out.push(`int useEx${i}() { ex${i}(1); ex${i}(2L); ex${i}((unsigned char)3); return 0; }`);
  });
  out.push(`template<class... T> auto exPack(T... t) -> decltype((t + ...)) { throw 0; }`);
  out.push(`template<class... T> auto exPack2(T... t) -> decltype((0 + ... + t)) { return 0; }`);
  out.push(`template<class... T> auto exPack3(T... t) -> decltype(helper(t...)) { return 0; }`);
  out.push(`template<class... T> auto exPack4(T... t) -> int(*)[sizeof...(T)] { return 0; }`);
  out.push(`int helper(int, int); int helper(int);`);
  out.push(`int useExPack() { exPack(1, 2); exPack(1, 2L, 'c'); exPack2(1, 2L); exPack3(1, 2); exPack4(1, 'c', Foo()); return 0; }`);
  return out.join("\n");
}

const OPS = ["+", "-", "*", "/", "%", "^", "&", "|", "<", ">", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>",
  ">>=", "<<=", "==", "!=", "<=", ">=", "&&", "||", ",", "->*", "<=>"];

function operators(): string {
  const out = ["typedef void (*FnPtr)(int);", "struct Op {", "  Op() = default; Op(const Op&) = default;"];
  OPS.forEach((op) => out.push(`  Op operator${op}(const Op&) const;`));
  out.push("  Op operator~() const; bool operator!() const; Op& operator++(); Op operator++(int); Op& operator--(); Op operator--(int);");
  out.push("  Op* operator->(); int operator()(int, char) const; int& operator[](unsigned long); Op operator-() const; Op operator+() const; Op& operator*(); Op* operator&();");
  out.push("  static void* operator new(unsigned long); static void operator delete(void*); static void* operator new[](unsigned long); static void operator delete[](void*);");
  out.push("  operator int() const; explicit operator bool() const; operator const char*() const; operator Foo&(); operator int Foo::*() const; operator FnPtr() const;");
  out.push("  template<class T> operator T*() const; Op& operator=(Op&&) noexcept; struct Aw {}; Aw operator co_await();");
  out.push("};");
  OPS.forEach((op) => out.push(`Op Op::operator${op}(const Op&) const { return *this; }`));
  out.push(`Op Op::operator~() const { return *this; } bool Op::operator!() const { return false; } Op& Op::operator++() { return *this; }
Op Op::operator++(int) { return *this; } Op& Op::operator--() { return *this; } Op Op::operator--(int) { return *this; }
Op* Op::operator->() { return this; } int Op::operator()(int, char) const { return 0; } int& Op::operator[](unsigned long) { static int i; return i; }
Op Op::operator-() const { return *this; } Op Op::operator+() const { return *this; } Op& Op::operator*() { return *this; } Op* Op::operator&() { return this; }
void* Op::operator new(unsigned long) { return 0; } void Op::operator delete(void*) {} void* Op::operator new[](unsigned long) { return 0; } void Op::operator delete[](void*) {}
Op::operator int() const { return 0; } Op::operator bool() const { return false; } Op::operator const char*() const { return ""; }
Op::operator Foo&() { static Foo f; return f; } Op::operator int Foo::*() const { return 0; }
Op::operator FnPtr() const { return 0; }
template<class T> Op::operator T*() const { return 0; }
template Op::operator int*() const; template Op::operator std::string*() const; template Op::operator Op*() const;
Op& Op::operator=(Op&&) noexcept { return *this; } Op::Aw Op::operator co_await() { return {}; }
Op operator+(int, const Op&) { return Op(); } bool operator<(const Foo&, const Foo&) { return false; }
std::ostream& operator<<(std::ostream& o, const Op&) { return o; } std::istream& operator>>(std::istream& i, Op&) { return i; }
unsigned long long operator""_km(unsigned long long v) { return v; } long double operator""_deg(long double v) { return v; }
const char* operator""_s(const char* s, unsigned long) { return s; } template<char...> int operator""_t() { return 0; }
int useT() { return 123_t; }
namespace ns { struct Bar; Op operator-(const Bar&, Op) { return Op(); } }`);
  return out.join("\n");
}

function lambdasAndLocals(): string {
  const out: string[] = [];
  for (let i = 0; i < 40; i++) {
    const t = TARGS[i % TARGS.length];
    out.push(`inline int loc${i}(${t}* p) {
  static int counter = loc${i}(nullptr) + 1;
  static ${t}* saved = p;
  auto l1 = [](int a, ${t}* b) { return a + (b != nullptr); };
  auto l2 = [&](auto x) { return x; };
  auto l3 = [=](auto... xs) { return sizeof...(xs); };
  auto l4 = []<class U>(U u, int) { return u; };
  struct Local { int m(${t}*) { return 1; } virtual ~Local() {} };
  Local lo;
  auto nested = [] { return [](char c) { static int inner = 0; return c + inner; }('a'); };
  return l1(1, p) + l2(${i}) + (int)l3(1, 'c', p) + l4(2, 0) + lo.m(p) + nested() + (int)(long)saved + counter;
}
int useLoc${i}() { return loc${i}(nullptr); }`);
  }
  out.push(`template<class T> struct LT { template<class U> static int run(U u) { auto f = [u](T t) { return (int)sizeof(t) + (int)sizeof(u); }; return f(T()); } };
int useLT() { return LT<int>::run('c') + LT<Foo>::run(1.0) + LT<std::string>::run(Foo()); }
thread_local int tlsCounter = 1; thread_local Foo tlsFoo; int useTls() { return tlsCounter + tlsFoo.x; }
auto [sbA, sbB] = std::pair<int, char>{1, 'c'};
int useSb() { return sbA + sbB; }
const Foo& tempRef = Foo{};`);
  return out.join("\n");
}

function inheritance(): string {
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(`namespace inh${i} {
struct Base { virtual ~Base(); virtual int f(int); virtual Base* clone() const; };
struct Left : virtual Base { ~Left() override; int f(int) override; virtual void l(); };
struct Right : virtual Base { ~Right() override; virtual void r(); };
struct Diamond : Left, Right { ~Diamond() override; int f(int) override; Diamond* clone() const override; void r() override; };
struct Multi : Foo, Left { virtual void l() override; };
Base::~Base() {} int Base::f(int a) { return a; } Base* Base::clone() const { return 0; }
Left::~Left() {} int Left::f(int a) { return a; } void Left::l() {}
Right::~Right() {} void Right::r() {}
Diamond::~Diamond() {} int Diamond::f(int a) { return a; } Diamond* Diamond::clone() const { return 0; } void Diamond::r() {}
void Multi::l() {}
}`);
  }
  return out.join("\n");
}

const IOKIT_CLASSES = ["IOService", "IOUserClient", "IOPCIDevice", "IOBlockStorageDevice", "IOEthernetController",
  "IOAudioEngine", "IOHIDDevice", "IOUSBHostDevice", "AppleACPIPlatformExpert", "VoodooI2CController",
  "Lilu_Patcher", "WhateverGreen_Framebuffer", "AppleSMC", "IOFramebuffer", "IONetworkInterface",
  "MyDriverUserClient", "com_example_driver_MyDriver", "IOWorkLoop", "IOCommandGate", "IOTimerEventSource"];

function iokit(): string {
  const out = [String.raw`
typedef unsigned int UInt32; typedef unsigned long long UInt64; typedef int IOReturn; typedef unsigned char UInt8;
typedef struct task* task_t; typedef unsigned int IOOptionBits; struct IOExternalMethodArguments; struct IOExternalMethodDispatch;
class OSMetaClass; class OSObject; class OSDictionary; class OSSymbol; class OSString; class IOMemoryDescriptor;
class OSMetaClassBase { public: virtual ~OSMetaClassBase(); virtual const OSMetaClass* getMetaClass() const = 0; virtual void retain() const; virtual void release() const;
  static OSMetaClassBase* safeMetaCast(const OSMetaClassBase*, const OSMetaClass*); };
class OSMetaClass : public OSMetaClassBase { public: OSMetaClass(const char*, const OSMetaClass*, unsigned int); virtual ~OSMetaClass();
  virtual OSObject* alloc() const = 0; const OSMetaClass* getMetaClass() const override; void instanceConstructed() const; };
class OSObject : public OSMetaClassBase { public: static const OSMetaClass* const metaClass; virtual bool init(); virtual void free(); OSObject(const OSMetaClass*);
  const OSMetaClass* getMetaClass() const override; protected: virtual ~OSObject(); };
OSMetaClassBase::~OSMetaClassBase() {} void OSMetaClassBase::retain() const {} void OSMetaClassBase::release() const {}
OSMetaClassBase* OSMetaClassBase::safeMetaCast(const OSMetaClassBase*, const OSMetaClass*) { return 0; }
OSMetaClass::OSMetaClass(const char*, const OSMetaClass*, unsigned int) {} OSMetaClass::~OSMetaClass() {}
const OSMetaClass* OSMetaClass::getMetaClass() const { return this; } void OSMetaClass::instanceConstructed() const {}
OSObject::OSObject(const OSMetaClass*) {} OSObject::~OSObject() {} bool OSObject::init() { return true; } void OSObject::free() {}
const OSMetaClass* OSObject::getMetaClass() const { return 0; } const OSMetaClass* const OSObject::metaClass = 0;
`];
  let superName = "OSObject";
  IOKIT_CLASSES.forEach((c, i) => {
    const reserved = Array.from({ length: 4 }, (_, k) => `private: virtual void _RESERVED${c}${k}();`).join(" ");
    out.push(`class ${c} : public ${superName} {
private: static const OSMetaClass* const superClass;
public: static const OSMetaClass* const metaClass;
  static class MetaClass : public OSMetaClass { public: MetaClass(); OSObject* alloc() const override; } gMetaClass;
  friend class ${c}::MetaClass;
  const OSMetaClass* getMetaClass() const override;
protected: ${c}(const OSMetaClass*); ~${c}() override;
public: ${c}();
  virtual bool start(OSObject* provider); virtual void stop(OSObject* provider); virtual bool init(OSDictionary* dict = 0);
  virtual IOReturn newUserClient${i}(task_t owningTask, void* securityID, UInt32 type, OSDictionary* properties, OSObject** handler);
  virtual IOReturn externalMethod(UInt32 selector, IOExternalMethodArguments* args, IOExternalMethodDispatch* dispatch, OSObject* target, void* reference);
  static IOReturn sMethod${i}(OSObject* target, void* ref, IOExternalMethodArguments* args);
  virtual IOReturn setProperties(OSObject* properties); virtual IOReturn message(UInt32 type, OSObject* provider, void* argument = 0);
  IOReturn readBytes(UInt64 offset, UInt8* buffer, UInt64 length, IOOptionBits options) const;
  static const OSSymbol* gKey${i};
  ${reserved}
};
${c}::MetaClass ${c}::gMetaClass;
const OSMetaClass* const ${c}::metaClass = &${c}::gMetaClass;
const OSMetaClass* const ${c}::superClass = &${superName}::gMetaClass;
${c}::${c}(const OSMetaClass* meta) : ${superName}(meta) {}
${c}::~${c}() {}
${c}::MetaClass::MetaClass() : OSMetaClass("${c}", ${c}::superClass, sizeof(${c})) {}
const OSMetaClass* ${c}::getMetaClass() const { return &gMetaClass; }
OSObject* ${c}::MetaClass::alloc() const { return new ${c}; }
${c}::${c}() : ${superName}(&gMetaClass) { gMetaClass.instanceConstructed(); }
bool ${c}::start(OSObject*) { return true; } void ${c}::stop(OSObject*) {} bool ${c}::init(OSDictionary*) { return true; }
IOReturn ${c}::newUserClient${i}(task_t, void*, UInt32, OSDictionary*, OSObject**) { return 0; }
IOReturn ${c}::externalMethod(UInt32, IOExternalMethodArguments*, IOExternalMethodDispatch*, OSObject*, void*) { return 0; }
IOReturn ${c}::sMethod${i}(OSObject*, void*, IOExternalMethodArguments*) { return 0; }
IOReturn ${c}::setProperties(OSObject*) { return 0; } IOReturn ${c}::message(UInt32, OSObject*, void*) { return 0; }
IOReturn ${c}::readBytes(UInt64, UInt8*, UInt64, IOOptionBits) const { return 0; }
const OSSymbol* ${c}::gKey${i} = 0;
${Array.from({ length: 4 }, (_, k) => `void ${c}::_RESERVED${c}${k}() {}`).join(" ")}`);
    if (i % 4 === 3) superName = "OSObject";
    else superName = c;
  });
  // The first class in each chain derives from OSObject, which needs a gMetaClass of its own.
  out[0] += "\n";
  return out.join("\n").replace("class OSObject : public OSMetaClassBase { public:", "class OSObject : public OSMetaClassBase { public: static class MetaClass : public OSMetaClass { public: MetaClass(); OSObject* alloc() const override; } gMetaClass;")
    + "\nOSObject::MetaClass OSObject::gMetaClass; OSObject::MetaClass::MetaClass() : OSMetaClass(\"OSObject\", 0, sizeof(OSObject)) {} OSObject* OSObject::MetaClass::alloc() const { return 0; }";
}

function misc(): string {
  return String.raw`
struct [[gnu::abi_tag("cxx11")]] Str { int s; };
struct [[gnu::abi_tag("t1")]] TaggedCls { TaggedCls(); ~TaggedCls(); virtual void v(); template<class T> TaggedCls(T); };
TaggedCls::TaggedCls() {} TaggedCls::~TaggedCls() {} void TaggedCls::v() {} template<class T> TaggedCls::TaggedCls(T) {}
template TaggedCls::TaggedCls(int);
struct WithUnnamed { struct { int x; } anon; enum { kA, kB } e; union { int i; float f; }; template<class T> static void take(T); };
template<class T> void WithUnnamed::take(T) {}
template void WithUnnamed::take(decltype(WithUnnamed::anon)); template void WithUnnamed::take(decltype(WithUnnamed::e));
[[gnu::abi_tag("cxx11", "v2")]] Str tagged(int) { return {}; }
Str plainTag(Str) { return {}; }
namespace [[gnu::abi_tag("ns")]] TagNs { inline namespace [[gnu::abi_tag("inl")]] v1 { void inTag() {} } }
typedef int int2v __attribute__((ext_vector_type(2))); typedef short short8v __attribute__((vector_size(16)));
void vecs(float4, int2v, short8v) {}
void bitint(_BitInt(7), unsigned _BitInt(33)) {}
void halfs(_Float16, __fp16*) {}
void cplx(_Complex float, _Complex long double) {}
void quals(const volatile int*, int* __restrict, const int* const*, volatile Foo&) {}
void fnptrs(void (*)(int) noexcept, int (*(*)(char))(double), void (Foo::*)() &, void (Foo::*)() const &&, int (Foo::*)[3]) {}
void arrays(int (&)[2][3], char (*)[4][5], const double (&)[1]) {}
void ellipsis(int, ...) {}
void unnamedEnum(decltype(nullptr)) {}
struct S20 { int v; constexpr S20(int x) : v(x) {} };
template<S20 s> int classNttp() { return s.v; }
template int classNttp<S20{3}>();
template<auto V> int autoNttp() { return 0; }
template int autoNttp<5>(); template int autoNttp<'c'>(); template int autoNttp<true>(); template int autoNttp<nullptr>();
template<class T> struct Outer { template<class U> struct In { template<class V> static void deep(T, U, V); }; };
template<class T> template<class U> template<class V> void Outer<T>::In<U>::deep(T, U, V) {}
template void Outer<int>::In<char>::deep<double>(int, char, double);
template void Outer<std::string>::In<std::string>::deep<std::vector<std::string>>(std::string, std::string, std::vector<std::string>);
template<class T> void refs(T&, T&&, const T&, T*&) {}
template void refs<int>(int&, int&&, const int&, int*&);
template void refs<Foo*>(Foo*&, Foo*&&, Foo* const&, Foo**&);
template<class T> typename T::type dependent(T) { return {}; }
struct HasType { typedef int type; }; template int dependent<HasType>(HasType);
template<class T> auto trailing(T t) -> decltype(t.get()) { return t.get(); }
template auto trailing<Foo>(Foo) -> int;
template<class... Ts> struct Tuple {}; template<class... Ts> void tup(Tuple<Ts...>, Ts*...) {}
template void tup<int, char, std::string>(Tuple<int, char, std::string>, int*, char*, std::string*);
template void tup<>(Tuple<>);
template<class T> decltype(auto) fwd(T&& t) { return static_cast<T&&>(t); }
int useFwd() { int i = 0; fwd(i); fwd(Foo()); return 0; }
int Foo::get() const { return x; }
struct Virt { virtual void a(); virtual void b() = 0; virtual ~Virt(); }; void Virt::a() {} Virt::~Virt() {}
extern "C" void cFunction(int) {}
namespace { void anonFn(Anon) {} } void useAnon() { anonFn(Anon()); }
namespace a { namespace b { namespace c { struct D { struct E { void f(a::b::c::D*, E*, D::E*); }; }; void D::E::f(D*, E*, D::E*) {} } } }
`;
}

/** Member access, new/delete, folds, constraints, vendor qualifiers and attributes, class NTTPs. */
const EXOTIC = String.raw`
struct Fx { int x; int y; int arr[3]; int get() const; static int s; };
int Fx::s;
template<class T> auto m1(T t) -> decltype(t.x) { throw 0; }
template<class T> auto m2(T* t) -> decltype(t->x) { throw 0; }
template<class T> auto m3(T t) -> decltype(t.get()) { throw 0; }
template<class T> auto m4(T* t) -> decltype(t->get()) { throw 0; }
template<class T> auto m5(T t) -> decltype(delete &t) { throw 0; }
template<class T> auto m6(T t) -> decltype(delete[] &t) { throw 0; }
template<class T> auto m7(T t) -> decltype(new T[2]{t, t}) { throw 0; }
template<class T> auto m8(T t) -> decltype(T{1, 2}) { throw 0; }
template<class T> auto m9(T t) -> decltype(t.*(&T::x)) { throw 0; }
template<class T> auto m10(T* t) -> decltype(t->*(&T::y)) { throw 0; }
template<class T> auto m11(T t) -> decltype(&T::x) { throw 0; }
template<class T> auto m12(T t) -> decltype(t.T::x) { throw 0; }
template<class T> auto m13(T t) -> decltype(t.~T()) { throw 0; }
template<class... T> auto m14(T... t) -> decltype(sizeof...(t)) { throw 0; }
template<class... T> auto m15(T... t) -> decltype((t * ... * 1)) { throw 0; }
template<class... T> auto m16(T... t) -> decltype((... && t)) { throw 0; }
template<class T> auto m17(T t) -> decltype(alignof(decltype(t))) { throw 0; }
template<class T> auto m18(T t) -> decltype(noexcept(t.get())) { throw 0; }
template<class T> auto m19(T t) -> decltype(t.arr[1]) { throw 0; }
template<class T> auto m20(T t) -> decltype(T::s + 1) { throw 0; }
template<class T> void m21(T t, decltype(t.x + sizeof(T)) = 0) {}
template<class T, int N> auto m22(T (&a)[N]) -> decltype(a[N - 1]) { throw 0; }
template<class T> auto m23(T t) -> decltype((int)t.x, (char)t.y) { throw 0; }
template<class T> auto m24(T t) -> decltype(static_cast<T&&>(t)) { throw 0; }
template<class T> auto m25(T t) -> decltype(dynamic_cast<T*>((T*)0)) { throw 0; }
template<class T> auto m26(T t) -> decltype(true ? t : T()) { throw 0; }
template<class T> auto m27(T t) -> decltype(::new (&t) T()) { throw 0; }
template<class T> auto m28(T t) -> decltype(-t.x * +t.y) { throw 0; }
int use() { Fx f; Fx a[2]; m1(f); m2(&f); m3(f); m4(&f); m5(f); m6(f); m7(1); m8(f); m9(f); m10(&f); m11(f); m12(f); m13(f); m14(1, 2); m15(1, 2.0); m16(true, 1); m17(f); m18(f); m19(f); m20(f); m21(f); m22(a); m23(f); m24(f); m25(f); m26(f); m28(f); return 0; }
template<class T> struct X { template<class U> void f(U) requires (sizeof(U) > 1); };
template<class T> template<class U> void X<T>::f(U) requires (sizeof(U) > 1) {}
template void X<int>::f<long>(long);
template<class T> concept Big = sizeof(T) > 4;
template<Big T> void constrained(T) {}
template void constrained<long>(long);
void eif(int i) __attribute__((enable_if(i > 0, "positive"))) {}
void useEif() { eif(1); }
void pos(void* const p __attribute__((pass_object_size(0)))) {}
void asp(__attribute__((address_space(1))) int* p) {}
void atom(_Atomic(int)* p) {}
template<class T> void ut(__underlying_type(T)) {}
enum class E8 : char {}; template void ut<E8>(char);
inline auto lamdef = [](int a = [](int b) { return b; }(1)) { return a; };
int useLamdef() { return lamdef(); }
template<class T> int withLambda(decltype([]{ return T(); }) l = {}) { return 0; }
struct Agg { int a; int b[2]; }; template<Agg A> int aggNttp() { return A.a; }
template int aggNttp<Agg{1, {2, 3}}>();
Agg gAgg[3]; template<int* P> int ptrNttp() { return 0; }
template<int Agg::* P> int pmNttp() { return 0; }
template int pmNttp<&Agg::a>();
struct Base2 { int q; }; struct Der2 : Base2 {}; template<int Der2::* P> int pmNttp2() { return 0; }
template<auto... V> int autoPack() { return 0; }
template int autoPack<1, 'c', true>();
template<template<class...> class TT> struct TTS {}; template<class...> struct Many {};
void ttsf(TTS<Many>) {}
namespace { template<class T> struct AnonT {}; } void anonT(AnonT<int>) {} void useAnonT() { anonT({}); }
void ptrs(int (*const (&)[2])(char), int volatile* const __restrict*) {}
void charTypes(char8_t, char16_t, char32_t, wchar_t, _Float16, __bf16*) {}
int _Complex cint(int _Complex c) { return c; }
`;

/** Objective-C++: protocol-qualified ids, blocks, ownership qualifiers, block invocations. */
const OBJC = String.raw`
@protocol P @end
@protocol Q @end
@class NSObj;
void f1(id<P>) {}
void f2(id<P, Q>, NSObj*, Class, SEL) {}
void f3(void (^)(int), int (^)(NSObj*)) {}
void f4(__strong id*, __weak id*) {}
template<class T> void f5(T) {}
void use() { f5(^{ }); f5(^(int x){ return x; }); }
struct S { void m(id<P>) const; }; void S::m(id<P>) const {}
`;

/** The generated translation units, named. */
export function cxxSources(): Array<{ name: string; code: string; objc?: boolean }> {
  return [
    { name: "signatures", code: PRELUDE + signatures() },
    { name: "templates", code: PRELUDE + templates() },
    { name: "expressions", code: PRELUDE + expressions() },
    { name: "operators", code: PRELUDE + operators() },
    { name: "lambdas", code: PRELUDE + lambdasAndLocals() },
    { name: "inheritance", code: PRELUDE + inheritance() },
    { name: "iokit", code: iokit() },
    { name: "misc", code: PRELUDE + misc() },
    { name: "exotic", code: EXOTIC },
    { name: "objc", code: OBJC, objc: true },
  ];
}

/** Whether the oracle tools are installed. */
export function haveCxxTools(): boolean {
  return ["clang-16", "llvm-nm-16", "llvm-cxxfilt-16"].every((t) => spawnSync(t, ["--version"], { stdio: "ignore" }).status === 0);
}

/**
 * Compiles every generated unit for x86_64 and arm64 Darwin and returns the unique symbol names
 * in a stable order. Throws when a unit does not compile (the generator is then wrong).
 */
export function compileCxxNames(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "iokit-cxxnames-"));
  try {
    const names = new Set<string>();
    for (const { name, code, objc } of cxxSources()) {
      const src = join(dir, `${name}.${objc === true ? "mm" : "cpp"}`);
      writeFileSync(src, code);
      for (const target of ["x86_64-apple-macos11", "arm64-apple-macos11"]) {
        const obj = join(dir, `${name}-${target}.o`);
        const r = spawnSync("clang-16", ["-target", target, "-std=c++20", "-w", ...(objc === true ? ["-fobjc-arc", "-fblocks"] : []), "-c", src, "-o", obj], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`clang-16 failed on ${name}.cpp:\n${r.stderr.split("\n").filter((l) => l.includes("error")).slice(0, 12).join("\n")}`);
        const out = execFileSync("llvm-nm-16", ["-j", obj], { encoding: "utf8", maxBuffer: 1 << 28 });
        for (const line of out.split("\n")) if (line !== "") names.add(line);
      }
    }
    return [...names];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one `llvm-cxxfilt-16` process over all names (with `args`), returning one line per name. */
export function oracleCxxfilt(names: readonly string[], args: readonly string[] = ["-_"]): string[] {
  const out = execFileSync("llvm-cxxfilt-16", [...args], { input: names.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
  return out.split("\n").slice(0, names.length);
}
