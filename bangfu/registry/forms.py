from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, scope

from . import services
from .models import (
    Education,
    Employment,
    Health,
    Household,
    HouseholdPairing,
    LaborCapacity,
    Person,
    PovertyCause,
    Relation,
    SchoolStage,
    StatusKind,
)

DATE = forms.DateInput(attrs={"type": "date"})


class IDNumberField(forms.CharField):
    """An 18-character resident ID, normalised (full-width digits, lower-case x) and checked."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("label", _("身份证号"))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        from bangfu.core import idnumber

        value = super().clean(value)
        if not value:
            return value
        try:
            return idnumber.parse(value).number
        except idnumber.IDNumberError as error:
            raise ValidationError(error.messages, code=error.code) from error


class PersonFieldsMixin(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IDNumberField()
    health = forms.ChoiceField(label=_("健康状况"), choices=Health.choices, initial=Health.HEALTHY)
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(g, f"{g}") for g in range(1, 5)],
    )
    education = forms.ChoiceField(label=_("文化程度"), choices=Education.choices, required=False)
    school_stage = forms.ChoiceField(label=_("在校生状况"), choices=SchoolStage.choices, required=False)
    labor_capacity = forms.ChoiceField(
        label=_("劳动能力"), choices=LaborCapacity.choices, initial=LaborCapacity.ORDINARY
    )
    employment = forms.ChoiceField(label=_("务工状况"), choices=Employment.choices, required=False)
    employer = forms.CharField(label=_("务工地点/单位"), max_length=100, required=False)
    medical_insurance = forms.BooleanField(label=_("基本医疗保险"), required=False, initial=True)
    pension_insurance = forms.BooleanField(label=_("基本养老保险"), required=False)
    serious_illness_insurance = forms.BooleanField(label=_("大病保险"), required=False)

    PERSON_FIELDS = (
        "name",
        "id_number",
        "health",
        "disability_grade",
        "education",
        "school_stage",
        "labor_capacity",
        "employment",
        "employer",
        "medical_insurance",
        "pension_insurance",
        "serious_illness_insurance",
    )

    def person_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}

    def clean(self):
        data = super().clean()
        if data.get("health") == Health.DISABLED and not data.get("disability_grade"):
            self.add_error("disability_grade", _("残疾人员请填写残疾等级。"))
        if data.get("health") != Health.DISABLED and data.get("disability_grade"):
            self.add_error("disability_grade", _("仅残疾人员填写残疾等级。"))
        return data


class HouseholdForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("所在村(12位代码)"))
    causes = forms.ModelMultipleChoiceField(
        label=_("致贫原因"),
        queryset=PovertyCause.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Household
        fields = [
            "code",
            "region",
            "address",
            "phone",
            "registered",
            "registered_year",
            "safety_net",
            "notes",
        ]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            self.initial["causes"] = list(self.instance.causes.values_list("code", flat=True))
            self.fields["code"].disabled = True

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and not in_scope(self.user, Cap.REGISTRY_EDIT, region.code):
            raise ValidationError(_("该村不在您的管辖范围内。"), code="out_of_scope")
        return region

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def household_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "code"}

    def save(self, *, actor, commit=True):
        if self.instance.pk:
            return services.household_update(
                actor=actor,
                household=self.instance,
                data=self.household_data(),
                causes=list(self.cleaned_data["causes"]),
            )
        return None  # HouseholdCreateForm adds the head


class HouseholdCreateForm(PersonFieldsMixin, HouseholdForm):
    """A new household is registered together with its head."""

    def save(self, *, actor, commit=True):
        return services.household_create(
            actor=actor,
            code=self.cleaned_data["code"],
            head=self.person_data(),
            causes=list(self.cleaned_data["causes"]),
            **self.household_data(),
        )


class PersonForm(BootstrapMixin, PersonFieldsMixin, forms.Form):
    relation = forms.ChoiceField(
        label=_("与户主关系"), choices=[c for c in Relation.choices if c[0] != "head"]
    )

    def __init__(self, *args, household, person=None, **kwargs):
        self.household, self.person = household, person
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["relation"].choices = Relation.choices
            # The clear number is never put in the page (that would be a reveal without a log):
            # the field starts empty and is typed only to correct the number.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前为 %(masked)s;留空则不变。") % {
                "masked": person.id_number_masked
            }
            for name in (*self.PERSON_FIELDS, "relation"):
                if name != "id_number":
                    self.initial[name] = getattr(person, name)

    def save(self, *, actor):
        data = {**self.person_data(), "relation": self.cleaned_data["relation"]}
        if self.person is not None:
            if not data["id_number"]:
                del data["id_number"]
            return services.person_update(actor=actor, person=self.person, data=data)
        return services.person_add(actor=actor, household=self.household, data=data)


class PersonMoveForm(BootstrapMixin, forms.Form):
    to_household = forms.CharField(label=_("迁入农户(户编号)"), max_length=30)
    relation = forms.ChoiceField(label=_("在新户中的关系"), choices=Relation.choices)
    date = forms.DateField(label=_("迁移日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    new_head = forms.ModelChoiceField(
        label=_("原户新户主(迁出户主时必填)"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args, person, user, **kwargs):
        self.person, self.user = person, user
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = person.household.members.filter(is_active=True).exclude(
            pk=person.pk
        )

    def clean_to_household(self):
        code = self.cleaned_data["to_household"].strip()
        target = scope(Household.objects.all(), self.user, Cap.REGISTRY_EDIT).filter(code=code).first()
        if target is None:
            raise ValidationError(
                _("找不到户编号为 %(code)s 的农户(或不在您的管辖范围内)。"),
                params={"code": code},
                code="unknown_household",
            )
        return target

    def save(self, *, actor):
        data = self.cleaned_data
        return services.person_move(
            actor=actor,
            person=self.person,
            to_household=data["to_household"],
            relation=data["relation"],
            date=data["date"],
            reason=data["reason"],
            new_head=data["new_head"],
        )


class IncomeForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1980)
    wage_income = forms.DecimalField(label=_("工资性收入(元)"), decimal_places=2, max_digits=14, initial=0)
    production_income = forms.DecimalField(
        label=_("生产经营性收入(元)"), decimal_places=2, max_digits=14, initial=0
    )
    property_income = forms.DecimalField(
        label=_("财产性收入(元)"), decimal_places=2, max_digits=14, initial=0
    )
    transfer_income = forms.DecimalField(
        label=_("转移性收入(元)"), decimal_places=2, max_digits=14, initial=0
    )
    production_cost = forms.DecimalField(
        label=_("生产经营性支出(元)"), decimal_places=2, max_digits=14, initial=0
    )
    members = forms.IntegerField(
        label=_("家庭人口"), min_value=1, required=False, help_text=_("留空则取当前在册人口。")
    )

    def __init__(self, *args, household, **kwargs):
        self.household = household
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year - 1)

    def save(self, *, actor):
        return services.income_record_save(actor=actor, household=self.household, **self.cleaned_data)


class StatusChangeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=StatusKind.choices)
    date = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)
    approved_by = forms.CharField(label=_("审批人/单位"), max_length=100, required=False)

    def __init__(self, *args, household, **kwargs):
        self.household = household
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return services.status_change_add(actor=actor, household=self.household, **self.cleaned_data)


class PairingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = HouseholdPairing
        fields = ["helper_name", "organization", "start_date", "end_date", "note"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, household, user, **kwargs):
        self.household = household
        super().__init__(*args, **kwargs)
        from bangfu.accounts.models import Organization

        self.fields["organization"].queryset = scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW)

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        return services.pairing_create(actor=actor, household=self.household, **self.cleaned_data)
