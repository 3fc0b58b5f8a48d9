package terraform

import "github.com/zclconf/go-cty/cty"

var (
	listOfDynamic = cty.List(cty.DynamicPseudoType)
	mapOfDynamic  = cty.Map(cty.DynamicPseudoType)
	setOfDynamic  = cty.Set(cty.DynamicPseudoType)
	numberType    = cty.Number
	stringType    = cty.String
)
